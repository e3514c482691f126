import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signCheckpoint, verifyCheckpointSignature } from '@intelgraph/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createFileWitness, createWebhookWitness, readWitnessFile } from './witness.js';

const keys = generateKeyPairSync('ed25519');
const cp = (treeSize: number) =>
  signCheckpoint({ treeSize, rootHash: 'c'.repeat(64), time: '2026-12-06T00:00:00.000Z' }, keys.privateKey);
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('audit witnesses', () => {
  it('the file witness appends checkpoints that read back and still verify', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ig-witness-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const w = createFileWitness(join(dir, 'w.jsonl'));
    await w.publish(cp(10));
    await w.publish(cp(20));
    const held = await readWitnessFile(join(dir, 'w.jsonl'));
    expect(held.map((c) => c.treeSize)).toEqual([10, 20]);
    expect(held.every((c) => verifyCheckpointSignature(c, keys.publicKey))).toBe(true);
    expect(() => createFileWitness('')).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });

  it('the webhook witness POSTs the checkpoint and fails UNAVAILABLE on a non-2xx answer', async () => {
    const bodies: string[] = [];
    let status = 204;
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString('utf8');
      });
      req.on('end', () => {
        bodies.push(body);
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    const { port } = server.address() as AddressInfo;
    const w = createWebhookWitness({ url: `http://127.0.0.1:${port}/checkpoints` });
    await w.publish(cp(10));
    expect(JSON.parse(bodies[0] ?? '{}')).toMatchObject({ checkpoint: { treeSize: 10 } });
    status = 500;
    await expect(w.publish(cp(20))).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(() => createWebhookWitness({ url: 'ftp://x' })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    expect(() => createWebhookWitness({ url: 'not a url' })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });
});
