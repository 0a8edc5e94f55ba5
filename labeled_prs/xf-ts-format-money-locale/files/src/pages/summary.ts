import { formatMoney } from '../lib/money';

export function summaryLine(totalCents: number): string {
  return `Total due: ${formatMoney(totalCents, 'EUR')}`;
}
