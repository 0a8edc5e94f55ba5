import { formatMoney } from '../lib/money';

export interface InvoiceRow {
  label: string;
  cents: number;
}

export function invoiceLines(rows: InvoiceRow[], locale: string, currency: string): string[] {
  return rows.map((row) => `${row.label}: ${formatMoney(row.cents, locale, currency)}`);
}
