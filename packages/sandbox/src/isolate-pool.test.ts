import { afterEach, describe, expect, it } from 'vitest';
import { IsolatePool, releaseContext } from './isolate-pool.js';

let pool: IsolatePool | undefined;
afterEach(() => pool?.close());

describe('IsolatePool', () => {
  it('prepares the next context of an isolate once it is released', async () => {
    pool = new IsolatePool({ size: 1 });
    const a = await pool.acquire(16, 'code');
    expect(a.spareReady).toBe(false);
    pool.release(a);
    await pool.settled();
    expect(a.spareReady).toBe(true);
    expect(await pool.acquire(16, 'code')).toBe(a);
  });

  it('grows to its size rather than wait for a context being prepared, then prefers a ready one', async () => {
    pool = new IsolatePool({ size: 2 });
    // As a run does: take an isolate, then its context.
    const take = async (code: string) => {
      const p = await (pool as IsolatePool).acquire(16, code);
      releaseContext(await (pool as IsolatePool).context(p));
      return p;
    };
    const a = await take('code');
    pool.release(a); // a's next context is now being prepared
    const b = await take('code');
    expect(b).not.toBe(a);
    pool.release(b);
    await pool.settled();
    const c = await take('code'); // both ready: either
    pool.release(c);
    // c's context is being prepared, the other one's is ready, and the pool is full.
    expect(await take('other')).toBe(c === a ? b : a);
    expect(pool.created).toBe(2);
  });

  it('replaces a disposed isolate ahead of time, while idle, with its first context ready', async () => {
    pool = new IsolatePool({ size: 1 });
    const a = await pool.acquire(16, 'code');
    pool.discard(a);
    expect(a.isolate.isDisposed).toBe(true);
    await pool.settled();
    const b = await pool.acquire(16, 'code');
    expect(b).not.toBe(a);
    // Prepared before it was asked for: the standby isolate.
    expect(b.spareReady).toBe(true);
    expect(pool.created).toBe(2);
  });

  it('creates no standby while a run is in progress', async () => {
    pool = new IsolatePool({ size: 2 });
    const busy = await pool.acquire(16, 'code');
    const other = await pool.acquire(16, 'code');
    pool.discard(other);
    await pool.settled();
    const fresh = await pool.acquire(16, 'code');
    expect(fresh.spareReady).toBe(false); // created on demand
    pool.release(busy);
    pool.release(fresh);
  });
});
