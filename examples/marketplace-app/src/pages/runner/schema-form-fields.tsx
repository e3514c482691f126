import { FormControlLabel, Grid, MenuItem, Switch, TextField } from '@mui/material';
import type { FormField, FormValues } from './schema-form.js';

/** Renders the fields generated from an input contract. */
export function SchemaFormFields({
  fields,
  values,
  errors,
  onChange,
}: {
  fields: FormField[];
  values: FormValues;
  errors: Record<string, string>;
  onChange: (name: string, value: string | boolean) => void;
}) {
  return (
    <Grid container spacing={2}>
      {fields.map((f) => {
        const text = typeof values[f.name] === 'string' ? (values[f.name] as string) : '';
        const help =
          errors[f.name] ?? f.description ?? (f.kind === 'string-list' ? 'Comma-separated' : undefined);
        if (f.kind === 'boolean') {
          return (
            <Grid key={f.name} size={12}>
              <FormControlLabel
                label={f.label}
                control={
                  <Switch
                    checked={values[f.name] === true}
                    onChange={(e) => onChange(f.name, e.target.checked)}
                  />
                }
              />
            </Grid>
          );
        }
        return (
          <Grid key={f.name} size={{ xs: 12, sm: f.multiline ? 12 : 6 }}>
            <TextField
              fullWidth
              label={f.label}
              required={f.required}
              value={text}
              select={f.kind === 'enum'}
              multiline={f.multiline}
              minRows={f.multiline ? 3 : undefined}
              type={f.kind === 'number' || f.kind === 'integer' ? 'number' : 'text'}
              error={Boolean(errors[f.name])}
              helperText={help}
              onChange={(e) => onChange(f.name, e.target.value)}
              slotProps={{
                htmlInput: {
                  ...(f.minimum !== undefined ? { min: f.minimum } : {}),
                  ...(f.maximum !== undefined ? { max: f.maximum } : {}),
                  ...(f.kind === 'integer' ? { step: 1 } : {}),
                },
              }}
            >
              {f.kind === 'enum'
                ? [
                    ...(f.required
                      ? []
                      : [
                          <MenuItem key="" value="">
                            (none)
                          </MenuItem>,
                        ]),
                    ...(f.options ?? []).map((o) => (
                      <MenuItem key={o} value={o}>
                        {o}
                      </MenuItem>
                    )),
                  ]
                : null}
            </TextField>
          </Grid>
        );
      })}
    </Grid>
  );
}
