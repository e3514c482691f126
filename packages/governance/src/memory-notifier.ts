import type { ReviewNotification, ReviewNotifier } from '@intelgraph/core';

/** A notifier that keeps every notification in memory (embedded use, tests, demos). */
export interface MemoryNotifier extends ReviewNotifier {
  /** Everything delivered so far, oldest first. */
  readonly sent: readonly ReviewNotification[];
  /** Forgets what was delivered. */
  clear(): void;
}

/**
 * Creates a {@link MemoryNotifier}.
 *
 * @example
 * ```ts
 * import { createGovernance, createMemoryNotifier } from '@intelgraph/governance';
 * const notifier = createMemoryNotifier();
 * const gov = createGovernance({ policies, appliers, notifier });
 * // … after a request:
 * notifier.sent.map((n) => n.type); // ['task.created']
 * ```
 */
export function createMemoryNotifier(): MemoryNotifier {
  const sent: ReviewNotification[] = [];
  return {
    get sent() {
      return sent;
    },
    clear() {
      sent.length = 0;
    },
    async notify(notification) {
      sent.push(structuredClone(notification));
    },
  };
}
