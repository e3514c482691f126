import type { Cost } from '@intelgraph/core';
import { parseInput } from '@intelgraph/core';
import { z } from 'zod';

const minorUnits = z.number().int().nonnegative().max(1_000_000_000_000);

/**
 * Zod schema of a {@link PriceTable}: whole prices in the currency's minor unit per call, per CPU
 * millisecond and per row.
 *
 * @example
 * ```ts
 * PriceTableSchema.parse({ currency: 'usd_micros', perCall: 100, perCpuMs: 2, perRow: 1 });
 * ```
 */
export const PriceTableSchema = z
  .object({
    currency: z.string().regex(/^[a-z_]{1,16}$/, 'a lowercase currency code such as usd_micros'),
    perCall: minorUnits,
    perCpuMs: minorUnits,
    perRow: minorUnits,
  })
  .strict();

/** Prices in whole minor units of `currency` (for example `usd_micros`, millionths of a dollar). */
export type PriceTable = z.infer<typeof PriceTableSchema>;

/** A default table and optional per-plugin tables. */
export interface PriceBook {
  default: PriceTable;
  plugins?: Record<string, PriceTable>;
}

/**
 * Zod schema of a {@link PriceBook}.
 *
 * @example
 * ```ts
 * PriceBookSchema.parse({ default: { currency: 'usd_micros', perCall: 100, perCpuMs: 2, perRow: 1 } });
 * ```
 */
export const PriceBookSchema = z
  .object({
    default: PriceTableSchema,
    plugins: z.record(z.string().regex(/^[\w.@:+-]{1,200}$/), PriceTableSchema).optional(),
  })
  .strict();

/**
 * A price book that charges nothing (the default until a host configures prices).
 *
 * @example
 * ```ts
 * createFinOps({ prices: FREE_PRICES }); // every run costs 0
 * ```
 */
export const FREE_PRICES: PriceBook = Object.freeze({
  default: Object.freeze({ currency: 'usd_micros', perCall: 0, perCpuMs: 0, perRow: 0 }),
});

/**
 * Prices one run: `calls × perCall + ceil(cpuMs) × perCpuMs + rows × perRow`, all whole numbers.
 *
 * @example
 * ```ts
 * import { priceUsage } from '@intelgraph/finops';
 * priceUsage({ currency: 'usd_micros', perCall: 100, perCpuMs: 2, perRow: 1 }, { calls: 1, cpuMs: 3.2, rows: 10 });
 * // { currency: 'usd_micros', amount: 118, lines: [...] }
 * ```
 */
export function priceUsage(table: PriceTable, usage: { calls: number; cpuMs: number; rows: number }): Cost {
  const q = (n: number) => (Number.isFinite(n) && n > 0 ? Math.ceil(n) : 0);
  const lines = [
    { resource: 'calls', quantity: q(usage.calls), unitPrice: table.perCall },
    { resource: 'cpuMs', quantity: q(usage.cpuMs), unitPrice: table.perCpuMs },
    { resource: 'rows', quantity: q(usage.rows), unitPrice: table.perRow },
  ].map((l) => ({ ...l, amount: l.quantity * l.unitPrice }));
  return { currency: table.currency, amount: lines.reduce((s, l) => s + l.amount, 0), lines };
}

/**
 * The price table for a plugin: its own, else the default. Validates the book once.
 *
 * @example
 * ```ts
 * import { createPriceResolver, FREE_PRICES } from '@intelgraph/finops';
 * createPriceResolver(FREE_PRICES)('any-plugin').perCall; // 0
 * ```
 */
export function createPriceResolver(book: PriceBook): (plugin: string) => PriceTable {
  const parsed = parseInput(PriceBookSchema, book, 'price book');
  const plugins = new Map(Object.entries(parsed.plugins ?? {}));
  return (plugin) => plugins.get(plugin) ?? parsed.default;
}
