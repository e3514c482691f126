import { definePlugin } from '@intelgraph/marketplace/plugin';

/** Input contract: which cases to export. */
export interface ExportInput {
  q?: string;
  status?: string;
  limit?: number;
}

/** One exported row: the shape of the `case-export` data contract (contracts/case-export.schema.json). */
export interface CaseExportRow {
  caseId: string;
  title: string;
  status: string;
  entityCount: number;
  updatedAt: string;
}

/** Output contract: the rows, and the same rows as RFC 4180 CSV. */
export interface ExportOutput {
  format: 'csv';
  rows: CaseExportRow[];
  csv: string;
}

const COLUMNS: (keyof CaseExportRow)[] = ['caseId', 'title', 'status', 'entityCount', 'updatedAt'];

function csvCell(value: string | number): string {
  const s = String(value);
  // Quote when needed, and defuse spreadsheet formulas (CSV injection).
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export default definePlugin({
  manifest: {
    name: 'case-exporter',
    version: '0.1.0',
    entry: 'index.js',
    publisher: 'intelgraph-examples',
    description:
      'Exports cases as CSV rows; the export edge is checked against the case-export data contract.',
    tags: ['export', 'csv', 'cases'],
    capabilities: { cases: ['read'], network: false },
    reasons: { 'cases:read': 'Reads the cases it exports.' },
    outputSchema: { subject: 'case-export', version: 1 },
    budgets: { ms: 1000, cpuMs: 300, memoryMB: 64, rows: 5000, outputKB: 1024 },
  },
  async run(input: ExportInput, api): Promise<ExportOutput> {
    const cases = await api.cases.list({ q: input.q ?? '', limit: Math.min(input.limit ?? 100, 1000) });
    const rows = cases
      .filter((c) => input.status === undefined || c.status === input.status)
      .map((c) => ({
        caseId: c.id,
        title: c.title,
        status: c.status,
        entityCount: c.entityIds.length,
        updatedAt: c.updatedAt,
      }));
    const csv = [COLUMNS.join(','), ...rows.map((r) => COLUMNS.map((k) => csvCell(r[k])).join(','))].join(
      '\r\n',
    );
    return { format: 'csv', rows, csv: `${csv}\r\n` };
  },
});
