import { getPriceCents } from '../catalog/prices';

export interface CartLine {
  sku: string;
  quantity: number;
}

export function cartTotalCents(lines: CartLine[]): number {
  let total = 0;
  for (const line of lines) {
    total += getPriceCents(line.sku) * line.quantity;
  }
  return total;
}
