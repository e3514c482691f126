import type { ReviewStore, ReviewTaskRecord } from '@intelgraph/core';
import type { InstallationView } from '@intelgraph/marketplace';
import { z } from 'zod';
import { HOST_OWNED_KINDS } from './review-kinds.js';

/** An open (pending, or approved and not yet applied) high-risk install or scope request. */
export interface InstallRequestView {
  taskId: string;
  state: 'pending' | 'approved';
  action: 'install' | 'consent' | 'optional';
  pluginId: string;
  version: string;
  /** Every scope the plugin would hold once applied. */
  scopes: string[];
  /** The scopes the request adds. */
  adding: string[];
  requestedBy: string;
  /** ISO-8601. */
  requestedAt: string;
  /** ISO-8601, or null when the policy sets no SLA. */
  dueAt: string | null;
}

/**
 * Where a plugin stands in the actor's org (for an "Install" / "Pending review" / "Installed" button):
 * installed or not, and the high-risk requests still open for it.
 */
export interface InstallStatus {
  status: 'installed' | 'pending_review' | 'not_installed';
  installation: InstallationView | null;
  pendingRequests: InstallRequestView[];
}

/** The host's view of open `plugin_install` reviews, and the lock that keeps one open per version. */
export interface InstallRequests {
  /** Open requests for a plugin in an org, oldest first. */
  open(orgId: string, pluginId: string): Promise<InstallRequestView[]>;
  /**
   * Runs `fn` alone for (org, plugin, version) in this process, so two concurrent requests cannot both
   * see "none open" and both open one. Across hosts the check is a read before the write (see RFC-033).
   */
  exclusive<T>(orgId: string, pluginId: string, version: string, fn: () => Promise<T>): Promise<T>;
}

// Read leniently: tasks written before the payload schema was strict still count as open requests.
const OpenPayload = z.object({
  action: z.enum(['install', 'consent', 'optional']),
  pluginId: z.string(),
  version: z.string(),
  scopes: z.array(z.string()).default([]),
  adding: z.array(z.string()).default([]),
});

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function view(t: ReviewTaskRecord): InstallRequestView | null {
  const p = OpenPayload.safeParse(t.payload);
  if (!p.success || (t.state !== 'pending' && t.state !== 'approved')) return null;
  return {
    taskId: t.id,
    state: t.state,
    action: p.data.action,
    pluginId: p.data.pluginId,
    version: p.data.version,
    scopes: p.data.scopes,
    adding: p.data.adding,
    requestedBy: t.requester.userId,
    requestedAt: new Date(t.createdAt).toISOString(),
    dueAt: iso(t.dueAt),
  };
}

/**
 * Creates the host's {@link InstallRequests} over the review store.
 *
 * @example
 * ```ts
 * const requests = createInstallRequests(stores.reviews);
 * const open = await requests.open('acme', 'sample-writer'); // [{ taskId, state: 'pending', version, … }]
 * ```
 */
export function createInstallRequests(store: ReviewStore): InstallRequests {
  const locks = new Map<string, Promise<unknown>>();
  return {
    async open(orgId, pluginId) {
      const out: InstallRequestView[] = [];
      for (let cursor: string | undefined; ; ) {
        const page = await store.listTasks({
          orgId,
          kinds: [HOST_OWNED_KINDS.pluginInstall.kind],
          states: ['pending', 'approved'],
          order: 'created',
          limit: 200,
          ...(cursor === undefined ? {} : { cursor }),
        });
        for (const t of page.items) {
          const v = view(t);
          if (v && v.pluginId === pluginId) out.push(v);
        }
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      return out;
    },
    async exclusive(orgId, pluginId, version, fn) {
      const key = `${orgId}\u0000${pluginId}\u0000${version}`;
      const previous = locks.get(key) ?? Promise.resolve();
      const run = previous.then(fn, fn);
      const settled = run.catch(() => undefined);
      locks.set(key, settled);
      try {
        return await run;
      } finally {
        if (locks.get(key) === settled) locks.delete(key);
      }
    },
  };
}
