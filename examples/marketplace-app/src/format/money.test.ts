import { describe, expect, it } from 'vitest';
import { currencyScale, formatBytes, formatMoney, formatNumber } from './money.js';

describe('formatMoney', () => {
  it('reads USD amounts as micro-dollars', () => {
    expect(formatMoney(12_500_000, 'USD')).toBe('$12.50');
    expect(formatMoney(250_000, 'USD')).toBe('$0.2500');
    expect(formatMoney(42, 'USD')).toBe('$0.000042');
    expect(formatMoney(0, 'USD')).toBe('$0.00');
  });

  it('reads the API label usd_micros as micro-dollars', () => {
    expect(formatMoney(122, 'usd_micros')).toBe('$0.000122');
    expect(currencyScale('usd_micros')).toEqual({ iso: 'USD', scale: 1_000_000 });
    expect(currencyScale('eur_cents')).toEqual({ iso: 'EUR', scale: 100 });
  });

  it('reads other currencies in cents', () => {
    expect(formatMoney(1234, 'EUR')).toBe('€12.34');
  });

  it('survives an unknown currency code', () => {
    expect(formatMoney(150, 'credits')).toBe('1.50 credits');
    expect(formatMoney(150, 'xyz')).toBe('XYZ\u00a01.50');
  });
});

describe('formatNumber and formatBytes', () => {
  it('groups thousands and limits decimals', () => {
    expect(formatNumber(1234567.891, 1)).toBe('1,234,567.9');
  });

  it('scales bytes', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(2048)).toBe('2 KB');
    expect(formatBytes(5.5 * 1024 * 1024)).toBe('5.5 MB');
  });
});
