// Opening a governed request: the payload read once into plain data, checked for dangerous keys and
// size, the policy (and for `policy_change` the policy it targets) looked up, then the task opened;
// a payload the policy needs no review for is approved and applied at once.
import {
  canonicalJson,
  findDangerousKeys,
  IntelGraphError,
  type JsonValue,
  parseInput,
} from '@intelgraph/core';
import { z } from 'zod';
import type { Governance } from '../governance.js';
import {
  POLICY_CHANGE_KIND,
  type PolicyChangePayload,
  PolicyChangePayloadSchema,
  proposePolicyChange,
} from '../policy-change.js';
import { toTaskView } from '../task-view.js';
import { openTask } from '../transitions.js';
import { EvidenceListSchema, type GovernanceDeps, parseActor, TextSchema } from './context.js';

const RequestSchema = z
  .object({
    kind: z.string().min(1).max(64),
    payload: z.json(),
    reason: TextSchema(2000).optional(),
    evidence: EvidenceListSchema,
  })
  .strict();

/** `request` over the governance service's shared operations. */
export function createRequests(deps: GovernanceDeps): Pick<Governance, 'request'> {
  const { store, clock, ids, applyGraceMs, payloadMaxBytes, owned, ownerToken } = deps;
  const { effectivePolicy, storeEvidence, publish, runApply, view } = deps;

  function assertNoDangerousKeys(input: unknown): void {
    const dangerous = findDangerousKeys(input);
    if (dangerous.length > 0)
      throw new IntelGraphError('INVALID_INPUT', `invalid request: ${dangerous[0]?.message ?? ''}`, {
        details: { issues: dangerous.map((d) => ({ ...d, path: ['payload', ...d.path] })) },
      });
  }

  function plainRequest(input: unknown): Record<string, unknown> | null {
    if (typeof input !== 'object' || input === null) return null;
    const sent: Record<string, unknown> = { ...(input as Record<string, unknown>) };
    if (!('payload' in sent)) return sent;
    try {
      // structuredClone reads every property once and keeps own `__proto__` keys as data; what it cannot
      // copy (a Proxy, a function) is not JSON either.
      sent.payload = structuredClone(sent.payload);
    } catch {
      throw new IntelGraphError('INVALID_INPUT', 'invalid request: payload must be plain JSON data', {
        details: { issues: [{ code: 'invalid_type', path: ['payload'], message: 'not plain JSON data' }] },
      });
    }
    return sent;
  }

  function assertPayloadSize(payload: JsonValue): void {
    const size = Buffer.byteLength(canonicalJson(payload), 'utf8');
    if (size > payloadMaxBytes)
      throw new IntelGraphError('PAYLOAD_TOO_LARGE', `payload exceeds ${payloadMaxBytes} bytes`, {
        details: { path: ['payload'], limit: payloadMaxBytes, observed: size },
      });
  }

  return {
    async request(actorInput, input, requestOptions = {}) {
      const actor = parseActor(actorInput);
      // Read the input once, into plain data, so the key check and zod see the same payload (a getter or
      // Proxy could otherwise answer the check clean and zod with an own `__proto__` key).
      const sent = plainRequest(input);
      // Before zod: rebuilding an object would turn an own `__proto__` key into a prototype.
      assertNoDangerousKeys(sent?.payload);
      const parsed = parseInput(RequestSchema, sent ?? input, 'request');
      if (owned.has(parsed.kind) && (ownerToken === undefined || requestOptions.owner !== ownerToken))
        throw new IntelGraphError(
          'FORBIDDEN',
          `requests of kind ${parsed.kind} are opened only by the operation that owns them`,
          { details: { kind: parsed.kind, reason: 'owned_kind' } },
        );
      const payload = parsed.payload as JsonValue;
      assertPayloadSize(payload);
      // A policy change also needs the policy it targets: both lookups in one round trip.
      const change =
        parsed.kind === POLICY_CHANGE_KIND
          ? (parseInput(PolicyChangePayloadSchema, payload, 'policy change payload') as PolicyChangePayload)
          : null;
      const [found, target] = await Promise.all([
        effectivePolicy(actor.orgId, parsed.kind),
        change ? effectivePolicy(actor.orgId, change.kind) : null,
      ]);
      if (!found)
        throw new IntelGraphError('INVALID_INPUT', `no policy governs requests of kind ${parsed.kind}`, {
          details: {
            issues: [{ code: 'unknown_kind', path: ['kind'], message: `unknown kind ${parsed.kind}` }],
          },
        });
      const { policy, version } = found;
      if (policy.requireReason.request && !parsed.reason)
        throw new IntelGraphError('INVALID_INPUT', 'this policy requires a reason with every request', {
          details: { issues: [{ code: 'required', path: ['reason'], message: 'a reason is required' }] },
        });
      if (policy.evidenceRequired && (parsed.evidence ?? []).length === 0)
        throw new IntelGraphError('INVALID_INPUT', 'this policy requires evidence with every request', {
          details: { issues: [{ code: 'required', path: ['evidence'], message: 'evidence is required' }] },
        });
      if (change) {
        if (!target)
          throw new IntelGraphError('INVALID_INPUT', `no policy of kind ${change.kind} to change`, {
            details: {
              issues: [
                { code: 'unknown_kind', path: ['payload', 'kind'], message: `unknown kind ${change.kind}` },
              ],
            },
          });
        proposePolicyChange(target.policy, change);
      }
      const evidence = await storeEvidence(parsed.evidence);
      const taskId = ids.next('task');
      const opened = openTask({
        id: taskId,
        orgId: actor.orgId,
        kind: parsed.kind,
        payload,
        reason: parsed.reason ?? null,
        requester: { userId: actor.userId, roles: actor.roles },
        evidence,
        policy,
        policyVersion: version,
        now: clock.now(),
        decisionId: ids.next('dec'),
        applyGraceMs,
      });
      await store.create(opened.snapshot);
      await publish(actor.orgId, taskId, opened.snapshot, opened.events);
      if (opened.autoApproved) {
        await runApply(taskId, 'first', null);
        return view(taskId);
      }
      // The task as created (no decision or apply yet): no need to read it back.
      return toTaskView(opened.snapshot, clock.now());
    },
  };
}
