// One-off generator for the package manifests; kept so the table of packages stays in one place.
// Re-running it rewrites package.json files (preserving nothing else), so edit the table, not the output.
import { mkdirSync, writeFileSync } from 'node:fs';

const v = {
  zod: '^4.6.7',
  canon: '^3.0.1',
  ivm: '~6.2.0',
  ajv: '^8.20.0',
  ajvf: '^3.0.1',
  avsc: '^5.7.9',
  patch: '^3.1.1',
  lev: '^1.0.16',
  prom: '^15.1.3',
  semver: '^7.8.6',
  minisearch: '^7.2.0',
  esbuild: '^0.28.2',
};
const ws = 'workspace:^';
const pkgs = {
  core: {
    desc: 'Core kernel: errors, manifest schema, audit chain, ports, clock and ids. No I/O.',
    deps: { zod: v.zod, 'json-canonicalize': v.canon },
  },
  capabilities: {
    desc: 'Capability model: scopes, the grant broker and scoped host APIs.',
    deps: { '@intelgraph/core': ws, zod: v.zod },
  },
  sandbox: {
    desc: 'Run untrusted plugin code in isolated-vm with budgets, captured logs and provenance.',
    deps: { '@intelgraph/core': ws, '@intelgraph/capabilities': ws, 'isolated-vm': v.ivm },
    entries: ['src/index.ts', 'src/testing.ts'],
  },
  contracts: {
    desc: 'Data contracts: schema registry, compatibility rules, diff, gates and mapping patches.',
    deps: {
      '@intelgraph/core': ws,
      zod: v.zod,
      ajv: v.ajv,
      'ajv-formats': v.ajvf,
      avsc: v.avsc,
      'fast-json-patch': v.patch,
      'fastest-levenshtein': v.lev,
    },
    bin: { 'intelgraph-contracts': './dist/cli.js' },
    entries: ['src/index.ts', 'src/cli.ts'],
  },
  governance: {
    desc: 'Governance: review and approve workflows with quorums, SLAs, appeals and exactly-once apply.',
    deps: { '@intelgraph/core': ws, zod: v.zod },
  },
  finops: {
    desc: 'FinOps: meters, exact quotas, budget hints, alerts, kill switch and Stripe-shaped billing events.',
    deps: { '@intelgraph/core': ws, zod: v.zod, 'prom-client': v.prom },
  },
  marketplace: {
    semverTypes: true,
    desc: 'Marketplace: signed plugin packages, install with consent, pinning, ratings, abuse reports and search.',
    deps: {
      '@intelgraph/core': ws,
      '@intelgraph/capabilities': ws,
      zod: v.zod,
      semver: v.semver,
      minisearch: v.minisearch,
      esbuild: v.esbuild,
    },
    bin: { 'intelgraph-plugin': './dist/cli.js' },
    entries: ['src/index.ts', 'src/cli.ts'],
  },
  host: {
    desc: 'createExtensionHost(): composes marketplace, sandbox, contracts, governance and finops over chosen stores.',
    deps: {
      ...Object.fromEntries(
        [
          'core',
          'capabilities',
          'sandbox',
          'contracts',
          'governance',
          'finops',
          'marketplace',
          'adapters',
        ].map((n) => [`@intelgraph/${n}`, ws]),
      ),
      '@electric-sql/pglite': '^0.5.16',
      'prom-client': v.prom,
    },
  },
  adapters: {
    desc: 'Storage and mounting adapters: postgres (and PGlite), redis, neo4j, memory, express and graphql.',
    deps: Object.fromEntries(
      ['core', 'capabilities', 'contracts', 'governance', 'finops', 'marketplace'].map((n) => [
        `@intelgraph/${n}`,
        ws,
      ]),
    ),
    peers: {
      pg: '^8.16.0',
      '@electric-sql/pglite': '>=0.3.0',
      ioredis: '^5.6.0 || ^6.0.0',
      'neo4j-driver': '>=5.28.0',
      express: '^5.1.0',
      graphql: '^16.11.0',
      '@apollo/server': '^5.0.0',
      '@as-integrations/express5': '^1.1.0',
    },
    subpaths: ['memory', 'postgres', 'redis', 'neo4j', 'express', 'graphql'],
    dev: {
      pg: '^8.23.1',
      '@types/pg': '^8.23.1',
      '@electric-sql/pglite': '^0.5.16',
      ioredis: '^6.0.0',
      'neo4j-driver': '^6.3.0',
      express: '^5.3.0',
      '@types/express': '^5.0.6',
      graphql: '^16.15.0',
      '@apollo/server': '^5.5.1',
      '@as-integrations/express5': '^1.1.2',
    },
  },
};

for (const [name, p] of Object.entries(pkgs)) {
  const dir = `packages/${name}`;
  mkdirSync(`${dir}/src`, { recursive: true });
  const entries = p.subpaths
    ? ['src/index.ts', ...p.subpaths.map((s) => `src/${s}/index.ts`)]
    : (p.entries ?? ['src/index.ts']);
  const exp = {};
  for (const e of entries) {
    const rel = e.replace(/^src\//, '').replace(/\.ts$/, '');
    const key = rel === 'index' ? '.' : `./${rel.replace(/\/index$/, '')}`;
    if (rel === 'cli') continue;
    exp[key] = {
      source: `./${e}`,
      import: { types: `./dist/${rel}.d.ts`, default: `./dist/${rel}.js` },
      require: { types: `./dist/${rel}.d.cts`, default: `./dist/${rel}.cjs` },
    };
  }
  exp['./package.json'] = './package.json';
  const json = {
    name: `@intelgraph/${name}`,
    version: '0.1.0',
    description: p.desc,
    license: 'Apache-2.0',
    type: 'module',
    sideEffects: false,
    engines: { node: '>=22' },
    files: ['dist', 'src', '!src/**/*.test.ts', 'README.md'],
    main: './dist/index.cjs',
    module: './dist/index.js',
    types: './dist/index.d.cts',
    exports: exp,
    ...(p.bin ? { bin: p.bin } : {}),
    scripts: {
      build: `tsup ${entries.join(' ')} --format esm,cjs --dts --clean --target node22 --sourcemap`,
    },
    dependencies: p.deps,
    ...(p.dev ? { devDependencies: p.dev } : {}),
    ...(p.peers
      ? {
          peerDependencies: p.peers,
          peerDependenciesMeta: Object.fromEntries(Object.keys(p.peers).map((k) => [k, { optional: true }])),
        }
      : {}),
    publishConfig: { access: 'public' },
  };
  writeFileSync(`${dir}/package.json`, `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(
    `${dir}/tsconfig.json`,
    `${JSON.stringify({ extends: '../../tsconfig.base.json', include: ['src'] }, null, 2)}\n`,
  );
}
