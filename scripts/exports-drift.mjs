// The exports map and the build script of a package both name its entry points; this checks that they
// agree, so neither can drift from the other: every module export's `source` file is a tsup entry, its
// `import`/`require` targets are the dist files tsup writes for that entry, and every tsup entry is either
// exported or a bin.

/**
 * Returns the drift between a package.json's `exports` and its `build` script (empty when they agree).
 *
 * @example
 * ```js
 * import { exportsDrift } from './exports-drift.mjs';
 * exportsDrift({ exports: { '.': { source: './src/index.ts' } }, scripts: { build: 'tsup src/other.ts' } });
 * // ['. : source ./src/index.ts is not a build entry', 'build entry src/other.ts is neither exported nor a bin']
 * ```
 */
export function exportsDrift(pkg) {
  const problems = [];
  const build = pkg.scripts?.build ?? '';
  const entries = [...build.matchAll(/\bsrc\/[\w./-]+\.ts\b/g)].map((m) => m[0]);
  const exported = new Set();
  for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
    if (typeof target === 'string') continue; // data files (package.json, schema.graphql)
    const source = target.source;
    if (typeof source !== 'string') {
      problems.push(`${subpath} : no source condition`);
      continue;
    }
    const entry = source.replace(/^\.\//, '');
    exported.add(entry);
    if (!entries.includes(entry)) problems.push(`${subpath} : source ${source} is not a build entry`);
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
