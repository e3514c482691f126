// The exports map and the build script of a package both name its entry points; this checks that they
// agree, so neither can drift from the other: every module export's `@intelgraph/source` file is a tsup
// entry, its `import`/`require` targets are the dist files tsup writes for that entry, and every tsup entry
// is either exported or a bin.
//
// The development condition is scoped to our name (`@intelgraph/source`, not `source`) because `src/` is
// published: a consumer whose bundler or runtime sets a generic `source` condition would otherwise
// resolve our raw `.ts` files. `unscopedSourceConditions` finds the generic name in scripts and configs.

/** The export condition that points at a package's TypeScript sources (development only). */
export const SOURCE_CONDITION = '@intelgraph/source';

/**
 * Returns the drift between a package.json's `exports` and its `build` script (empty when they agree).
 * A bare `source` condition anywhere in the map is drift too.
 *
 * @example
 * ```js
 * import { exportsDrift } from './exports-drift.mjs';
 * exportsDrift({ exports: { '.': { '@intelgraph/source': './src/index.ts' } }, scripts: { build: 'tsup src/other.ts' } });
 * // ['. : @intelgraph/source ./src/index.ts is not a build entry', 'build entry src/other.ts is neither exported nor a bin']
 * ```
 */
export function exportsDrift(pkg) {
  const problems = [];
  const build = pkg.scripts?.build ?? '';
  const entries = [...build.matchAll(/\bsrc\/[\w./-]+\.ts\b/g)].map((m) => m[0]);
  const exported = new Set();
  for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
    if (typeof target === 'string') continue; // data files (package.json, schema.graphql)
    problems.push(
      ...bareSourceConditions(target).map(
        (at) => `${subpath} : ${at} is a bare "source" condition, use "${SOURCE_CONDITION}"`,
      ),
    );
    const source = target[SOURCE_CONDITION];
    if (typeof source !== 'string') {
      problems.push(`${subpath} : no ${SOURCE_CONDITION} condition`);
      continue;
    }
    const entry = source.replace(/^\.\//, '');
    exported.add(entry);
    if (!entries.includes(entry))
      problems.push(`${subpath} : ${SOURCE_CONDITION} ${source} is not a build entry`);
    const stem = entry.replace(/^src\//, './dist/').replace(/\.ts$/, '');
    const want = {
      'import.types': `${stem}.d.ts`,
      'import.default': `${stem}.js`,
      'require.types': `${stem}.d.cts`,
      'require.default': `${stem}.cjs`,
    };
    for (const [key, file] of Object.entries(want)) {
      const [cond, leaf] = key.split('.');
      const got = target[cond]?.[leaf];
      if (got !== file) problems.push(`${subpath} : ${key} is ${got ?? 'missing'}, the build writes ${file}`);
    }
  }
  const bins = Object.values(typeof pkg.bin === 'string' ? { bin: pkg.bin } : (pkg.bin ?? {})).map((b) =>
    b.replace(/^\.\/dist\//, 'src/').replace(/\.c?js$/, '.ts'),
  );
  for (const entry of entries) {
    if (!exported.has(entry) && !bins.includes(entry) && !/\/worker\.ts$/.test(entry)) {
      problems.push(`build entry ${entry} is neither exported nor a bin`);
    }
  }
  for (const bin of bins) {
    if (!entries.includes(bin)) problems.push(`bin ${bin} is not a build entry`);
  }
  return problems;
}

/**
 * The paths (`source`, `import.source`) of the bare `source` conditions in one export's condition tree.
 *
 * @example
 * ```js
 * bareSourceConditions({ source: './src/index.ts', import: { source: './src/index.ts' } });
 * // ['source', 'import.source']
 * ```
 */
export function bareSourceConditions(target, at = '') {
  if (target === null || typeof target !== 'object') return [];
  return Object.entries(target).flatMap(([key, value]) => {
    const path = at ? `${at}.${key}` : key;
    return [...(key === 'source' ? [path] : []), ...bareSourceConditions(value, path)];
  });
}

// A condition list or flag that names the generic `source`: `--conditions=source`, `--conditions source`,
// `-C source`, `'--conditions', 'source'` (argv arrays), and `source` in a `conditions`, `customConditions`,
// `conditionNames` or `externalConditions` array.
const UNSCOPED = [
  /(?:--conditions|(?<![\w-])-C)(?:[= ]|['"],\s*['"])source(?![\w/-])/g,
  /(?:[cC]onditions|conditionNames)['"]?\s*[:=]\s*\[[^\]]*?['"]source['"]/g,
];

/**
 * Returns the places in a file's text that select the unscoped `source` condition (empty when none), each
 * as `line N: <match>`.
 *
 * @example
 * ```js
 * import { unscopedSourceConditions } from './exports-drift.mjs';
 * unscopedSourceConditions('node --conditions=source --import tsx main.ts');
 * // ['line 1: --conditions=source']
 * ```
 */
export function unscopedSourceConditions(text) {
  const found = [];
  for (const re of UNSCOPED) {
    for (const m of text.matchAll(re)) {
      const line = text.slice(0, m.index).split('\n').length;
      found.push({ line, at: m.index, text: `line ${line}: ${m[0].replace(/\s+/g, ' ')}` });
    }
  }
  return found.sort((a, b) => a.at - b.at).map((f) => f.text);
}
