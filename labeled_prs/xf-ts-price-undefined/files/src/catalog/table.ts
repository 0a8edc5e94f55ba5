export const PRICE_TABLE = new Map<string, number>([
  ['TEA-001', 450],
  ['TEA-002', 520],
  ['MUG-010', 1290],
]);
