// docs/authorization.md quotes the default permission table; this keeps the quote and the code equal.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PERMISSIONS, PERMISSIONS } from './authorizer.js';

const DOC = fileURLToPath(new URL('../../../docs/authorization.md', import.meta.url));

interface DocRow {
  permission: string;
  roles: string[];
  platform: boolean;
  covers: string;
}

/** The rows of the table under "## The default table": `| \`perm\` | \`role\`, … | yes/no | text |`. */
function docRows(markdown: string): DocRow[] {
  const section = markdown.split(/^## /m).find((s) => s.startsWith('The default table'));
  if (!section) throw new Error('docs/authorization.md has no "## The default table" section');
  const rows: DocRow[] = [];
  for (const line of section.split('\n')) {
    const cells = line
      .trim()
      .replace(/^\||\|$/g, '')
      .split('|')
      .map((c) => c.trim());
    const permission = /^`([\w.-]+)`$/.exec(cells[0] ?? '')?.[1];
    if (permission === undefined) continue;
    const roles = (cells[1] ?? '').split(',').map((r) => /^`([^`]+)`$/.exec(r.trim())?.[1] ?? `?${r.trim()}`);
    const platform = cells[2] === 'yes' ? true : cells[2] === 'no' ? false : null;
    if (platform === null) throw new Error(`${permission}: platform-only must be yes or no, not ${cells[2]}`);
    rows.push({ permission, roles, platform, covers: cells[3] ?? '' });
  }
  return rows;
}

describe('docs/authorization.md', () => {
  const rows = docRows(readFileSync(DOC, 'utf8'));

  it('lists every permission of DEFAULT_PERMISSIONS once, in table order', () => {
    expect(rows.map((r) => r.permission)).toEqual([...PERMISSIONS]);
  });

  it('gives each permission its default roles and platform flag, and says what it covers', () => {
    const fromDoc = Object.fromEntries(
      rows.map((r) => [r.permission, { roles: r.roles, platform: r.platform }]),
    );
    const fromCode = Object.fromEntries(
      PERMISSIONS.map((p) => [
        p,
        { roles: [...DEFAULT_PERMISSIONS[p].roles], platform: DEFAULT_PERMISSIONS[p].platform },
      ]),
    );
    expect(fromDoc).toEqual(fromCode);
    for (const r of rows) expect(r.covers.length, `${r.permission} says what it covers`).toBeGreaterThan(10);
  });
});
