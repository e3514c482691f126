/**
 * Formats an amount in minor units. The API reports USD in micro-dollars (1 USD = 1,000,000), so
 * plugin runs that cost fractions of a cent stay exact; other currencies use their own digits.
 */
export function formatMoney(amountMinor: number, currency: string): string {
  const scale = currency.toUpperCase() === 'USD' ? 1_000_000 : 100;
  const value = amountMinor / scale;
  const abs = Math.abs(value);
  const digits = abs === 0 ? 2 : abs < 0.01 ? 6 : abs < 1 ? 4 : 2;
  try {
    return new Intl.NumberFormat('en-US', {
      style: 'currency',
      currency: currency.toUpperCase(),
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    }).format(value);
  } catch {
    return `${value.toFixed(digits)} ${currency}`;
  }
}

/** A plain number with thousands separators and at most `digits` decimals. */
export function formatNumber(value: number, digits = 1): string {
  return new Intl.NumberFormat('en-US', { maximumFractionDigits: digits }).format(value);
}

/** Bytes as B, KB, MB or GB. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${formatNumber(v, i === 0 ? 0 : 1)} ${units[i]}`;
}
