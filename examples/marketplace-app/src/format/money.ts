/**
 * The ISO currency and the minor units per major unit of an API currency label. The API reports money
 * in micro-units (`usd_micros`, or plain `USD`, both 1,000,000 to the dollar) so plugin runs that cost
 * fractions of a cent stay exact; `<iso>_cents` and other plain codes count hundredths.
 */
export function currencyScale(currency: string): { iso: string; scale: number } {
  const m = /^([a-z]{3})(?:_(micros|cents))?$/i.exec(currency.trim());
  if (!m?.[1]) return { iso: currency, scale: 100 };
  const iso = m[1].toUpperCase();
  if (m[2]?.toLowerCase() === 'micros' || (m[2] === undefined && iso === 'USD'))
    return { iso, scale: 1_000_000 };
  return { iso, scale: 100 };
}

/** Formats an amount in the API's minor units (see {@link currencyScale}). */
export function formatMoney(amountMinor: number, currency: string): string {
  const { iso, scale } = currencyScale(currency);
  const value = amountMinor / scale;
  const abs = Math.abs(value);
  const digits = abs === 0 ? 2 : abs < 0.01 ? 6 : abs < 1 ? 4 : 2;
  try {
    return new Intl.NumberFormat('en-US', {
      style: 'currency',
      currency: iso,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    }).format(value);
  } catch {
    return `${value.toFixed(digits)} ${iso}`;
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
