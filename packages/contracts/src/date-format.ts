/** A rewrite of a date value into a declared format, with how sure we are it means the same instant. */
export interface DateNormalisation {
  value: string;
  confidence: number;
  reason: string;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= days;
}

function ymd(y: number, m: number, d: number): string | null {
  return validDate(y, m, d) ? `${pad(y, 4)}-${pad(m)}-${pad(d)}` : null;
}

/** Parses the calendar-date spellings we recognise into `YYYY-MM-DD`, with a confidence. */
function parseCalendarDate(s: string): { date: string; confidence: number; how: string } | null {
  let m = /^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$/.exec(s);
  if (m) {
    const date = ymd(Number(m[1]), Number(m[2]), Number(m[3]));
    return date ? { date, confidence: 0.9, how: 'year-first date with / or . separators' } : null;
  }
  m = /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (m) {
    const date = ymd(Number(m[1]), Number(m[2]), Number(m[3]));
    return date ? { date, confidence: 0.8, how: 'compact YYYYMMDD date' } : null;
  }
  m = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(s);
  if (m) {
    const date = ymd(Number(m[3]), Number(m[2]), Number(m[1]));
    return date ? { date, confidence: 0.7, how: 'day-first DD.MM.YYYY date' } : null;
  }
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s);
  if (m) {
    const a = Number(m[1]);
    const b = Number(m[2]);
    const y = Number(m[3]);
    if (a > 12 && b <= 12) {
      const date = ymd(y, b, a);
      return date ? { date, confidence: 0.7, how: 'day-first DD/MM/YYYY date (the day is above 12)' } : null;
    }
    if (b > 12 && a <= 12) {
      const date = ymd(y, a, b);
      return date
        ? { date, confidence: 0.7, how: 'month-first MM/DD/YYYY date (the day is above 12)' }
        : null;
    }
    return null; // ambiguous: 03/04/2020 could be either
  }
  return null;
}

const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Rewrites a date given in another common spelling into the JSON Schema `format` (`date` or
 * `date-time`), or returns `null` when it cannot do so without guessing.
 */
export function normaliseDate(value: unknown, format: string): DateNormalisation | null {
  if (format === 'date') {
    if (typeof value !== 'string') return null;
    const s = value.trim();
    const iso = ISO_DATE_TIME.exec(s);
    if (iso) {
      const date = ymd(Number(iso[1]), Number(iso[2]), Number(iso[3]));
      if (!date) return null;
      const midnight =
        Number(iso[4]) === 0 &&
        Number(iso[5]) === 0 &&
        Number(iso[6] ?? 0) === 0 &&
        !/[1-9]/.test(iso[7] ?? '');
      return midnight
        ? { value: date, confidence: 0.95, reason: 'a date-time at midnight written as the date it names' }
        : {
            value: date,
            confidence: 0.5,
            reason: 'the date part of a date-time; its time of day is dropped',
          };
    }
    const cal = parseCalendarDate(s);
    return cal
      ? { value: cal.date, confidence: cal.confidence, reason: `a ${cal.how} rewritten as YYYY-MM-DD` }
      : null;
  }
  if (format === 'date-time') {
    if (typeof value === 'number' && Number.isFinite(value) && value > 0) {
      const ms = value > 1e11 ? value : value * 1000;
      const d = new Date(ms);
      if (Number.isNaN(d.getTime())) return null;
      return {
        value: d.toISOString(),
        confidence: 0.5,
        reason: `a Unix timestamp in ${value > 1e11 ? 'milliseconds' : 'seconds'} rewritten as an ISO date-time`,
      };
    }
    if (typeof value !== 'string') return null;
    const s = value.trim();
    const iso = ISO_DATE_TIME.exec(s);
    if (iso) {
      if (!validDate(Number(iso[1]), Number(iso[2]), Number(iso[3]))) return null;
      const zone = iso[8]
        ? iso[8].toUpperCase() === 'Z'
          ? 'Z'
          : iso[8].replace(/^([+-]\d{2})(\d{2})$/, '$1:$2')
        : 'Z';
      const out = `${iso[1]}-${iso[2]}-${iso[3]}T${iso[4]}:${iso[5]}:${iso[6] ?? '00'}${iso[7] ?? ''}${zone}`;
      return iso[8]
        ? { value: out, confidence: 0.9, reason: 'a date-time rewritten in RFC 3339 form' }
        : { value: out, confidence: 0.6, reason: 'a date-time without a time zone, assumed to be UTC' };
    }
    if (/^\d{4}-\d{2}-\d{2}$/.test(s)) {
      if (!validDate(Number(s.slice(0, 4)), Number(s.slice(5, 7)), Number(s.slice(8, 10)))) return null;
      return { value: `${s}T00:00:00Z`, confidence: 0.6, reason: 'a date taken as midnight UTC' };
    }
    if (/\b(GMT|UTC)\b|[+-]\d{4}$/.test(s)) {
      const t = Date.parse(s);
      if (Number.isFinite(t))
        return {
          value: new Date(t).toISOString(),
          confidence: 0.7,
          reason: 'an RFC 2822 date rewritten as an ISO date-time',
        };
    }
    const cal = parseCalendarDate(s);
    return cal
      ? {
          value: `${cal.date}T00:00:00Z`,
          confidence: cal.confidence * 0.6,
          reason: `a ${cal.how} taken as midnight UTC`,
        }
      : null;
  }
  return null;
}
