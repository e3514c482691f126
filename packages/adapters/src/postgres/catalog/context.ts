// What every concern of the PostgreSQL catalog store shares: the database, and the one-row read they all use.
import type { SqlDatabase, SqlExecutor } from '../sql.js';
import type { Row } from './rows.js';

/** The state the catalog store's concerns share. */
export interface CatalogContext {
  readonly db: SqlDatabase;
}

/** The first row a statement returns, or `null`. */
export async function one(ex: SqlExecutor, text: string, params: unknown[]): Promise<Row | null> {
  return (await ex.query<Row>(text, params)).rows[0] ?? null;
}
