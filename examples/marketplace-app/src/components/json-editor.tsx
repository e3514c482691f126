import { TextField } from '@mui/material';
import type { JsonValue } from '../api/types.js';

/** Parses JSON text; `{ ok: false }` carries the parser's message. */
export function parseJson(text: string): { ok: true; value: JsonValue } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(text) as JsonValue };
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message : 'invalid JSON' };
  }
}

/** A monospace JSON text area that shows whether its text parses. */
export function JsonEditor({
  label,
  value,
  onChange,
  minRows = 6,
  helperText,
}: {
  label: string;
  value: string;
  onChange: (text: string) => void;
  minRows?: number;
  helperText?: string;
}) {
  const parsed = value.trim() === '' ? null : parseJson(value);
  const invalid = parsed !== null && !parsed.ok;
  return (
    <TextField
      label={label}
      value={value}
      onChange={(e) => onChange(e.target.value)}
      multiline
      minRows={minRows}
      maxRows={24}
      fullWidth
      error={invalid}
      helperText={invalid && parsed && !parsed.ok ? `Not valid JSON: ${parsed.message}` : helperText}
      slotProps={{
        htmlInput: {
          spellCheck: false,
          style: { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, monospace', fontSize: 13 },
        },
      }}
    />
  );
}
