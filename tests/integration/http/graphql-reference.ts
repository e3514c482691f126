import { ERROR_CODES, type ErrorCode, HTTP_STATUS_BY_CODE } from '@intelgraph/core';
import {
  buildSchema,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLNamedType,
  isEnumType,
  isInputObjectType,
  isObjectType,
  isScalarType,
} from 'graphql';

// Renders docs/reference/graphql.md from the published SDL (packages/server/schema.graphql).
// Regenerate both with: UPDATE_GRAPHQL_REFERENCE=1 pnpm exec vitest run tests/integration/http/graphql-sdl.test.ts

const MEANING: Record<ErrorCode, string> = {
  INVALID_INPUT: 'the request is malformed: a bad argument, a query over a limit, a bad body or content type',
  NOT_FOUND: 'no such plugin, installation, subject, version or task (in your org)',
  CONFLICT: 'the state changed under you, or the thing exists already (e.g. a published version)',
  CAPABILITY_DENIED: 'a plugin called a host API its grants do not cover',
  BUDGET_EXCEEDED:
    'a plugin run went over a budget (`details.resource`: wall, cpu, memory, rows, output, logs)',
  PLUGIN_ERROR: 'the plugin threw',
  CONTRACT_VIOLATION: 'data does not conform to its contract (with issues and a suggested patch)',
  SCHEMA_INCOMPATIBLE: "a new schema version breaks the subject's compatibility mode",
  SIGNATURE_INVALID: 'a plugin package failed verification (`details.reason`)',
  QUOTA_EXCEEDED: 'a hard quota of the org is used up',
  KILL_SWITCH: 'a kill switch stops this run',
  APPROVAL_REQUIRED: 'the change waits for a review (`details.reviewTaskId`)',
  INVALID_TRANSITION: 'the review task cannot move that way from its state',
  FORBIDDEN: 'the actor lacks the role or is anonymous (GraphQL operations)',
  UNAUTHENTICATED: 'no or bad credentials (HTTP endpoints: upload, `/metrics`; malformed identity headers)',
  UNAVAILABLE: 'a backend is down; retry later',
  PAYLOAD_TOO_LARGE: 'the body, a package or a tarball is over its limit',
  RATE_LIMITED: 'too many requests',
  INTERNAL: 'a server fault; no detail is sent',
};

const cell = (s: string | null | undefined) => (s ?? '').replace(/\|/g, '\\|').replace(/\n+/g, ' ');
const anchor = (name: string) => name.toLowerCase();
const typeLink = (printed: string) => {
  const name = printed.replace(/[[\]!]/g, '');
  return `[\`${printed}\`](#${anchor(name)})`;
};

function args(list: readonly GraphQLArgument[]): string {
  if (list.length === 0) return '';
  return list
    .map(
      (a) =>
        `\`${a.name}: ${String(a.type)}${a.defaultValue === undefined ? '' : ` = ${JSON.stringify(a.defaultValue)}`}\``,
    )
    .join(', ');
}

function fieldTable(
  fields: readonly (GraphQLField<unknown, unknown> | GraphQLInputField)[],
  withArgs: boolean,
): string {
  const head = withArgs
    ? '| field | arguments | type | description |\n| --- | --- | --- | --- |'
    : '| field | type | description |\n| --- | --- | --- |';
  const rows = fields.map((f) =>
    withArgs
      ? `| \`${f.name}\` | ${args('args' in f ? f.args : [])} | ${typeLink(String(f.type))} | ${cell(f.description)} |`
      : `| \`${f.name}\` | ${typeLink(String(f.type))} | ${cell(f.description)} |`,
  );
  return [head, ...rows].join('\n');
}

/** The reference page for an SDL document. */
export function renderGraphQLReference(sdl: string): string {
  const schema = buildSchema(sdl);
  const types = Object.values(schema.getTypeMap())
    .filter((t) => !t.name.startsWith('__'))
    .sort((a, b) => a.name.localeCompare(b.name));
  const out: string[] = [];
  out.push(
    '# GraphQL API reference',
    '',
    '<!-- Generated from packages/server/schema.graphql by tests/integration/http/graphql-reference.ts; do not edit by hand. -->',
    '<!-- Regenerate: UPDATE_GRAPHQL_REFERENCE=1 pnpm exec vitest run tests/integration/http/graphql-sdl.test.ts --project integration -->',
    '',
    'The API that `createExpressRouter` (`@intelgraph/server/express`) serves at `POST /graphql`. The SDL ships in',
    'the package as `@intelgraph/server/schema.graphql` (and `printGraphQLSchema()` from',
    '`@intelgraph/server/graphql` returns it), for codegen and clients.',
    '',
    "- **Who.** The actor comes from the host's `auth` hook, never from arguments; every read and write is",
    "  scoped to the actor's org. Without an actor, every operation answers `FORBIDDEN`.",
    '- **Variables.** Pass every value as a variable; `JSON` literals may not contain variables.',
    '- **Pages.** List fields that fetch take `first` (or `limit` on `search`) with the default shown and a',
    '  maximum of 100 (1000 for `auditTrail`, 200 for `reviewQueue`); a value outside is `INVALID_INPUT`.',
    '- **Limits.** Before anything runs, an operation is refused with `INVALID_INPUT` and',
    "  `extensions.details: { reason: 'query_limit', limit, max, observed }` when it is deeper than `maxDepth`",
    '  (10), selects more than `maxFields` (500) fields or holds more than `maxAliases` (30) aliases,',
    '  introspection fields included, or when its estimated cost is over `maxCost` (20000): every field',
    '  costs 1, a list of objects costs its page size (`first`, the default, or 10 for lists without one)',
    '  times one item, `__schema` costs 2000 and `__type` 100. Documents over `maxTokens` (10000) are refused',
    '  while parsing. Set them with `createExpressRouter({ queryLimits })`.',
    '- **Introspection** is on only with `createExpressRouter({ development: true })` or',
    '  `createExpressRouter({ introspection: true })`.',
    '',
    '## Errors',
    '',
    'Every error carries a stable code in `extensions.code` (GraphQL) or `error.code` (the other HTTP',
    'endpoints, whose body is `{ "error": { "code", "message", "details" } }`), and `details` with',
    "structured facts; the framework's own GraphQL errors also carry `extensions.http.status`. Clients switch on the",
    'code, never on the message.',
    '',
    '| code | HTTP status | GraphQL `extensions.code` | meaning |',
    '| --- | --- | --- | --- |',
    ...ERROR_CODES.map((c) => `| \`${c}\` | ${HTTP_STATUS_BY_CODE[c]} | \`${c}\` | ${MEANING[c]} |`),
    '',
    'Also: a GraphQL syntax or validation error is `INVALID_INPUT` (HTTP 400); an unsupported content type is',
    '`INVALID_INPUT` with HTTP 415 and `details.reason: "unsupported_media_type"`; an error that is not',
    "the framework's own is `INTERNAL` with the message `internal error` and nothing else.",
    '',
  );
  for (const [title, root] of [
    ['Queries', schema.getQueryType()],
    ['Mutations', schema.getMutationType()],
  ] as const) {
    if (!root) continue;
    out.push(
      `## ${title}`,
      '',
      cell(root.description),
      '',
      fieldTable(Object.values(root.getFields()), true),
      '',
    );
  }
  const objects = types.filter(
    (t) => isObjectType(t) && t !== schema.getQueryType() && t !== schema.getMutationType(),
  );
  const section = (title: string, list: GraphQLNamedType[], body: (t: GraphQLNamedType) => string[]) => {
    out.push(`## ${title}`, '');
    for (const t of list) out.push(`### ${t.name}`, '', cell(t.description), '', ...body(t), '');
  };
  section('Object types', objects, (t) =>
    isObjectType(t) ? [fieldTable(Object.values(t.getFields()), true)] : [],
  );
  section('Input types', types.filter(isInputObjectType), (t) =>
    isInputObjectType(t) ? [fieldTable(Object.values(t.getFields()), false)] : [],
  );
  section('Enums', types.filter(isEnumType), (t) =>
    isEnumType(t)
      ? [
          '| value | description |\n| --- | --- |',
          ...t.getValues().map((v) => `| \`${v.name}\` | ${cell(v.description)} |`),
        ]
      : [],
  );
  section('Scalars', types.filter(isScalarType), () => []);
  return `${out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}

/** Every type, field, argument-less member and enum value of the SDL that has no description. */
export function undescribed(sdl: string): string[] {
  const schema = buildSchema(sdl);
  const missing: string[] = [];
  for (const t of Object.values(schema.getTypeMap())) {
    if (t.name.startsWith('__')) continue;
    const builtin = isScalarType(t) && ['String', 'Int', 'Float', 'Boolean', 'ID'].includes(t.name);
    if (builtin) continue;
    if (!t.description) missing.push(t.name);
    if (isObjectType(t) || isInputObjectType(t))
      for (const f of Object.values(t.getFields())) if (!f.description) missing.push(`${t.name}.${f.name}`);
    if (isEnumType(t)) for (const v of t.getValues()) if (!v.description) missing.push(`${t.name}.${v.name}`);
  }
  return missing;
}
