import { createManualClock, isIntelGraphError } from '@intelgraph/core';
import { describe, expect, it } from 'vitest';
import { createBillingDispatcher } from './billing-dispatcher.js';
import { createMemoryBillingOutbox } from './memory-billing-outbox.js';

const expectInvalid = (fn: () => unknown) => {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(isIntelGraphError(caught, 'INVALID_INPUT')).toBe(true);
};

describe('createBillingDispatcher options', () => {
  const outbox = createMemoryBillingOutbox();

  it('refuses a missing key, plain http off loopback, bad payload keys and unknown options', () => {
    expectInvalid(() => createBillingDispatcher({ outbox, apiKey: '' }));
    expectInvalid(() =>
      createBillingDispatcher({ outbox, apiKey: 'sk_test_1', host: 'stripe.example', protocol: 'http' }),
    );
    expectInvalid(() => createBillingDispatcher({ outbox, apiKey: 'sk_test_1', customerPayloadKey: 'a b' }));
    expectInvalid(() =>
      createBillingDispatcher({ outbox, apiKey: 'sk_test_1', ...({ url: 'https://relay' } as object) }),
    );
    expect(() =>
      createBillingDispatcher({ outbox, apiKey: 'sk_test_1', host: '127.0.0.1', protocol: 'http' }),
    ).not.toThrow();
  });

  it('starts running, does nothing on an empty outbox, and validates re-queue and rotation input', async () => {
    const clock = createManualClock();
    const d = createBillingDispatcher({ outbox, apiKey: 'sk_test_1', clock });
    expect(d.status()).toEqual({ state: 'running', paused: null, backoffUntil: null });
    expect(await d.dispatchOnce()).toEqual({
      claimed: 0,
      delivered: 0,
      alreadyBilled: 0,
      skipped: 0,
      retried: 0,
      dead: 0,
      released: 0,
      paused: false,
      backoffUntil: null,
    });
    expect(await d.requeue()).toEqual([]);
    await expect(d.requeue({ identifiers: ['x'.repeat(101)] })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    expectInvalid(() => d.rotateApiKey(''));
    await expect(
      createBillingDispatcher({ outbox, apiKey: () => '', clock }).dispatchOnce(),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
