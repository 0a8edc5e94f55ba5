import { getPriceCents } from '../catalog/prices';

export function priceLabel(sku: string): string {
  const cents = getPriceCents(sku);
  return cents === undefined ? 'unavailable' : (cents / 100).toFixed(2);
}
