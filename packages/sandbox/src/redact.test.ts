import { describe, expect, it } from 'vitest';
import { redactPii } from './redact.js';

describe('redactPii', () => {
  it('redacts emails, tokens, secrets, card numbers and phone numbers', () => {
    expect(redactPii('mail alice@example.com, card 4111 1111 1111 1111, call +1 415-555-0100')).toBe(
      'mail [email], card [card], call [phone]',
    );
    expect(redactPii('Authorization: Bearer abcdef1234567890.xyz')).toBe('Authorization: Bearer [token]');
    expect(redactPii('jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl ok')).toBe('jwt [token] ok');
    expect(redactPii('api_key=sk_live_123456 password: "hunter22"')).toBe(
      'api_key=[secret] password: "[secret]"',
    );
    expect(redactPii('card 4111-1111-1111-1111')).toBe('card [card]');
    expect(redactPii('phone (415) 555-0100 or +447911123456')).toBe('phone [phone] or [phone]');
  });

  it('leaves ordinary numbers, dates, ids and non-Luhn digit runs alone', () => {
    for (const s of [
      'took 1234 ms',
      'on 2026-04-01 at 12:30',
      'entity e-123',
      'order 1234567890123 (not luhn)',
      'ip 10.0.0.1',
      'v1.2.3',
    ]) {
      expect(redactPii(s)).toBe(s);
    }
  });
});
