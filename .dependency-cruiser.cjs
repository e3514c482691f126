// The package layers of docs/architecture.md, checked on every import of packages/*/src (tests included)
// by `pnpm lint:layers`. Imports point inward only:
//
//   server (@intelgraph/server: /express, /graphql, the HTTP and GraphQL face)
//     -> host (composition root)
//       -> domain (contracts, capabilities, sandbox, governance, finops, marketplace) and storage
//          (adapters/memory, postgres, redis, neo4j, audit)
//         -> core (types, errors, ports; imports no other package of ours)
//
// The author kit (@intelgraph/plugin-kit: CLI, scaffold, bundling, the sandbox test) sits beside the host:
// it imports domain packages and core, never the host, storage or the server.
//
// Workspace imports resolve to the sources (the `@intelgraph/source` export condition), so every rule speaks of
// paths under packages/. There is no baseline of known violations: CI fails on any violation.

const STORAGE = 'adapters/src/(memory|postgres|redis|neo4j|audit)';
const SERVER = 'server/src';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-imports-no-package',
      comment: 'core is the innermost layer: it imports no other @intelgraph package.',
      severity: 'error',
      from: { path: '^packages/core/src/' },
      to: { path: '^packages/(?!core/)[^/]+/' },
    },
    {
      name: 'domain-imports-core',
      comment:
        'A domain package imports core, and capabilities where it needs scopes (marketplace asks ' +
        'capabilities about scopes; the sandbox takes an already-scoped host API from capabilities).',
      severity: 'error',
      from: { path: `^packages/(contracts|capabilities|governance|finops)/src/` },
      to: { path: '^packages/[^/]+/', pathNot: ['^packages/core/', '^packages/$1/'] },
    },
    {
      name: 'marketplace-and-sandbox-import-core-and-capabilities',
      comment: 'See domain-imports-core.',
      severity: 'error',
      from: { path: '^packages/(marketplace|sandbox)/src/' },
      to: { path: '^packages/[^/]+/', pathNot: ['^packages/(core|capabilities)/', '^packages/$1/'] },
    },
    {
      name: 'storage-imports-core',
      comment: "Storage adapters implement core's ports and import nothing else of ours.",
      severity: 'error',
      from: { path: `^packages/${STORAGE}/` },
      to: { path: '^packages/[^/]+/', pathNot: ['^packages/core/', '^packages/adapters/'] },
    },
    {
      name: 'no-reaching-into-another-adapter',
      comment:
        'Each backend is its own subpath export: one storage adapter may not import the internals of ' +
        "another (move shared code to core, next to the port); it may use another's public entry " +
        '(index.ts), as the audit CLI opens the PostgreSQL audit store.',
      severity: 'error',
      from: { path: `^packages/${STORAGE}/` },
      to: {
        path: '^packages/adapters/src/[^/]+/',
        pathNot: ['^packages/adapters/src/$1/', `^packages/${STORAGE}/index\\.ts$`],
      },
    },
    {
      name: 'no-package-src-internals',
      comment:
        "A package imports another package through its exports (index.ts or a declared subpath), never a file of the other package's src.",
      severity: 'error',
      from: { path: '^packages/([^/]+)/src/' },
      to: {
        path: '^packages/[^/]+/src/',
        pathNot: [
          '^packages/$1/',
          '^packages/[^/]+/src/index\\.ts$',
          // Declared subpath exports (package.json "exports" with an "@intelgraph/source" condition).
          '^packages/adapters/src/(memory|postgres|redis|neo4j|audit)/index\\.ts$',
          '^packages/server/src/(express|graphql)/index\\.ts$',
          '^packages/marketplace/src/plugin\\.ts$',
          '^packages/sandbox/src/testing\\.ts$',
        ],
      },
    },
    {
      name: 'host-imports-domain-and-storage',
      comment: 'The host composes domain packages over storage; it never imports the server above it.',
      severity: 'error',
      from: { path: '^packages/host/src/' },
      to: { path: `^packages/${SERVER}/` },
    },
    {
      name: 'only-the-server-imports-the-host',
      comment: 'Nothing below the host imports it; only the server above it does.',
      severity: 'error',
      from: { path: '^packages/', pathNot: ['^packages/host/', `^packages/${SERVER}/`] },
      to: { path: '^packages/host/' },
    },
    {
      name: 'the-author-kit-imports-domain-and-core',
      comment: 'The author kit builds and tests plugins; it never reaches the host, storage or the server.',
      severity: 'error',
      from: { path: '^packages/plugin-kit/src/' },
      to: { path: '^packages/(host|adapters|server)/' },
    },
    {
      name: 'nothing-imports-the-server',
      comment: 'The HTTP and GraphQL surface is the outermost layer.',
      severity: 'error',
      from: { path: '^packages/', pathNot: `^packages/${SERVER}/` },
      to: { path: `^packages/${SERVER}/` },
    },
  ],
  options: {
    includeOnly: '^packages/[^/]+/src/',
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['@intelgraph/source', 'import', 'require', 'node', 'default'],
      mainFields: ['module', 'main', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
