import { PRICE_TABLE } from './table';

export function getPriceCents(sku: string): number | undefined {
  return PRICE_TABLE.get(sku);
}
