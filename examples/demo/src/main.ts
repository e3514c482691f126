// The project's main job: a readable, scripted transcript of the seed's demo (sprint plan §10).
// It exits 0 only if every step did what it should. Steps are added as the packages land.
import { createAuditTrail, createMemoryAuditStore, parseManifest } from '@intelgraph/core';

const out = (line = '') => process.stdout.write(`${line}\n`);
let failures = 0;
function check(condition: boolean, what: string): void {
  out(`  ${condition ? '✔' : '✘'} ${what}`);
  if (!condition) failures++;
}

async function main(): Promise<void> {
  out('IntelGraph Extensions demo (embedded defaults)');
  out();
  out('Step 0. Validate the seed manifest of sample-enricher and start the audit chain');
  const manifest = parseManifest({
    name: 'sample-enricher',
    version: '0.1.0',
    entry: 'index.js',
    capabilities: { graph: ['read'], cases: ['read', 'write'], network: false },
    budgets: { ms: 800, memoryMB: 256, rows: 50000 },
    permissions: ['use:nl2cypher'],
  });
  out(`  manifest ${manifest.name}@${manifest.version}, budgets ${JSON.stringify(manifest.budgets)}`);
  const audit = createAuditTrail({ store: createMemoryAuditStore() });
  const e = await audit.record({
    type: 'demo.started',
    actor: { userId: 'demo', orgId: 'acme' },
    subject: `plugin:${manifest.name}`,
    orgId: 'acme',
    data: { version: manifest.version },
  });
  out(`  audit event #${e.seq} ${e.type} hash ${e.hash.slice(0, 16)}…`);
  const verification = await audit.verify();
  check(verification.ok, 'audit chain verifies');
  out();
  if (failures > 0) {
    out(`demo FAILED: ${failures} check(s) did not hold`);
    process.exitCode = 1;
  } else {
    out('demo OK: every step did what it should');
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
