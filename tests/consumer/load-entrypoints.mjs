// Loads every public entry point of every installed @intelgraph package through `import` and
// `require`, from a project outside the workspace, and checks both expose the same names.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const scope = join(import.meta.dirname, 'node_modules', '@intelgraph');
let failed = 0;
let loaded = 0;
for (const dir of readdirSync(scope)) {
  const pkg = JSON.parse(readFileSync(join(scope, dir, 'package.json'), 'utf8'));
  for (const subpath of Object.keys(pkg.exports)) {
    if (subpath === './package.json') continue;
    const specifier = subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`;
    // A data export (the published GraphQL SDL) is a file to read, not a module: resolve and read it.
    if (/\.(graphql|json)$/.test(subpath)) {
      try {
        const text = readFileSync(require.resolve(specifier), 'utf8');
        if (text.trim().length === 0) throw new Error('is empty');
        loaded++;
        console.log(`ok   ${specifier} (${text.length} characters)`);
      } catch (e) {
        failed++;
        console.log(`FAIL ${specifier}: ${e instanceof Error ? e.message : String(e)}`);
      }
      continue;
    }
    try {
      const esm = Object.keys(await import(specifier))
        .filter((k) => k !== 'default' && k !== 'module.exports')
        .sort();
      const cjs = Object.keys(require(specifier)).sort();
      if (esm.length === 0) throw new Error('exports nothing');
      if (JSON.stringify(esm) !== JSON.stringify(cjs))
        throw new Error(`import and require differ: ${esm.join(',')} vs ${cjs.join(',')}`);
      loaded++;
      console.log(`ok   ${specifier} (${esm.length} names)`);
    } catch (e) {
      failed++;
      console.log(`FAIL ${specifier}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
console.log(`${loaded} entry points loaded through import and require, ${failed} failed`);
if (failed > 0 || loaded === 0) process.exit(1);
