const EMAIL = /[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24}/g;
const BEARER = /\b(Bearer|Basic|Token)\s+[A-Za-z0-9\-._~+/]{8,}=*/gi;
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g;
const SECRET_PARAM =
  /\b(api[_-]?key|access[_-]?token|secret|password|passwd)(["']?\s*[:=]\s*["']?)[^\s"'&,;]{4,}/gi;
const CARD = /(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d])/g;
const PHONE =
  /(?<![\w.:/-])(?:\+\d{1,3}[ -]?)?(?:\(\d{1,4}\)[ -]?)?\d{2,4}(?:[ -]\d{2,4}){1,4}(?![\w.:/-])|\+\d{9,15}\b/g;

function luhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/**
 * Replaces obvious PII and secrets in a log line: e-mail addresses, bearer/basic tokens and JWTs,
 * `password=`-style secrets, card-like numbers (13–19 digits passing the Luhn check) and phone
 * numbers (10–15 digits with separators or a leading `+`). Best effort by design: it catches the
 * common accidents, it is no substitute for plugins not logging personal data.
 *
 * @example
 * ```ts
 * import { redactPii } from '@intelgraph/sandbox';
 * redactPii('mail alice@example.com, card 4111 1111 1111 1111, call +1 415-555-0100');
 * // 'mail [email], card [card], call [phone]'
 * ```
 */
export function redactPii(text: string): string {
  return text
    .replace(JWT, '[token]')
    .replace(BEARER, (_m, kind: string) => `${kind} [token]`)
    .replace(SECRET_PARAM, (_m, key: string, sep: string) => `${key}${sep}[secret]`)
    .replace(EMAIL, '[email]')
    .replace(CARD, (m) => {
      const digits = m.replace(/\D/g, '');
      return digits.length >= 13 && digits.length <= 19 && luhn(digits) ? '[card]' : m;
    })
    .replace(PHONE, (m) => {
      if (/^\d{4}-\d{2}-\d{2}/.test(m)) return m; // a date, not a phone number
      const n = m.replace(/\D/g, '').length;
      return n >= 10 && n <= 15 ? '[phone]' : m;
    });
}
