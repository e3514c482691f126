import { typeDefs } from '@intelgraph/server/graphql';
import { buildSchema, Kind, parse, validate, visit } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { Operation } from './client.js';
import * as contracts from './operations/contracts.js';
import * as finops from './operations/finops.js';
import * as governance from './operations/governance.js';
import * as marketplace from './operations/marketplace.js';
import * as moderation from './operations/moderation.js';
import * as runner from './operations/runner.js';

const schema = buildSchema(typeDefs.join('\n'));

const isOperation = (value: unknown): value is Operation<unknown, unknown> =>
  typeof value === 'object' && value !== null && 'query' in value;

const operations = Object.entries({
  ...marketplace,
  ...runner,
  ...contracts,
  ...governance,
  ...finops,
  ...moderation,
}).flatMap(([name, value]): [string, Operation<unknown, unknown>][] =>
  isOperation(value) ? [[name, value]] : [],
);

describe('the operations the app sends', () => {
  it('are all collected', () => {
    expect(operations.length).toBeGreaterThanOrEqual(25);
  });

  it.each(operations)('%s is valid against the platform SDL', (_name, op) => {
    const errors = validate(schema, parse(op.query));
    expect(errors.map((e) => e.message)).toEqual([]);
  });

  it.each(operations)('%s passes every argument as a variable, never as an inline literal', (_name, op) => {
    const inline: string[] = [];
    visit(parse(op.query), {
      Argument(node) {
        if (node.value.kind !== Kind.VARIABLE) inline.push(`${node.name.value}: ${node.value.kind}`);
      },
    });
    expect(inline).toEqual([]);
  });
});
