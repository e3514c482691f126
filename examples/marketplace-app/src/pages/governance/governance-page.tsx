import { Alert, Badge, Box, Stack, Tab, Tabs, Typography } from '@mui/material';
import { useEffect, useMemo, useState } from 'react';
import { useMutation, useQuery } from '../../api/hooks.js';
import { type QueueScope, REVIEW_QUEUE, REVIEW_WITHDRAW } from '../../api/operations/governance.js';
import type { ReviewTask } from '../../api/types.js';
import { useIdentity } from '../../auth/identity-context.js';
import { PageHeader } from '../../components/page-header.js';
import { Section } from '../../components/section.js';
import { EmptyState, ErrorState, QueryView } from '../../components/state-views.js';
import { href, navigate } from '../../router.js';
import { useNow } from '../../use-now.js';
import { AuditDialog } from './audit-dialog.js';
import { DecisionDialog, type DecisionKind } from './decision-dialog.js';
import { PolicyChangeForm } from './policy-change-form.js';
import { TaskCard } from './task-card.js';

const ORDER: Record<string, number> = {
  pending: 0,
  appealed: 1,
  denied: 2,
  approved: 3,
  applied: 4,
  expired: 5,
  withdrawn: 6,
};

function sortTasks(tasks: ReviewTask[]): ReviewTask[] {
  return [...tasks].sort(
    (a, b) =>
      (ORDER[a.status] ?? 9) - (ORDER[b.status] ?? 9) ||
      Number(b.overdue) - Number(a.overdue) ||
      (a.dueAt ?? '9').localeCompare(b.dueAt ?? '9') ||
      b.createdAt.localeCompare(a.createdAt),
  );
}

function Queue({
  scope,
  onDecide,
  onAudit,
  refreshKey,
}: {
  scope: QueueScope;
  onDecide: (task: ReviewTask, kind: DecisionKind) => void;
  onAudit: (id: string) => void;
  refreshKey: number;
}) {
  const { identity } = useIdentity();
  const queue = useQuery(REVIEW_QUEUE, { scope, first: 100 }, { refreshKey });
  const withdraw = useMutation(REVIEW_WITHDRAW);
  const now = useNow(1000);
  const tasks = useMemo(() => sortTasks(queue.data?.reviewQueue.items ?? []), [queue.data]);
  return (
    <>
      {withdraw.error ? <ErrorState error={withdraw.error} title="Withdraw failed" /> : null}
      <QueryView
        state={queue}
        loadingLabel="Loading the queue"
        isEmpty={() => tasks.length === 0}
        empty={
          <EmptyState
            title={scope === 'reviewable' ? 'Nothing waits for your review' : 'You have no requests'}
          >
            {scope === 'reviewable'
              ? `Requests that ${identity.userId}'s roles (${identity.roles.join(', ')}) may decide appear here.`
              : 'File one from “Request a change”.'}
          </EmptyState>
        }
      >
        {() => (
          <>
            <Typography variant="h6" component="h2" sx={{ mb: 1.5 }}>
              {scope === 'reviewable' ? 'Waiting for your decision' : 'Requests you filed'} ({tasks.length})
            </Typography>
            <Stack
              component="ul"
              spacing={2}
              sx={{ listStyle: 'none', p: 0, m: 0 }}
              aria-label={scope === 'reviewable' ? 'My approvals' : 'My requests'}
            >
              {tasks.map((t) => {
                const actions: Parameters<typeof TaskCard>[0]['actions'] = [];
                const mine = t.requester.id === identity.userId;
                if (scope === 'reviewable' && t.status === 'pending' && !mine) {
                  actions.push({
                    label: 'Approve',
                    color: 'success',
                    variant: 'contained',
                    onClick: () => onDecide(t, 'approve'),
                  });
                  actions.push({
                    label: 'Deny',
                    color: 'error',
                    variant: 'outlined',
                    onClick: () => onDecide(t, 'deny'),
                  });
                }
                if (mine && t.status === 'denied' && !t.appealTask) {
                  actions.push({
                    label: 'Appeal',
                    variant: 'contained',
                    onClick: () => onDecide(t, 'appeal'),
                  });
                }
                if (mine && t.status === 'pending') {
                  actions.push({
                    label: 'Withdraw',
                    onClick: async () => {
                      if (await withdraw.run({ id: t.id, reason: 'withdrawn by the requester' }))
                        queue.refetch();
                    },
                  });
                }
                actions.push({ label: 'Audit trail', onClick: () => onAudit(t.id) });
                return (
                  <li key={t.id}>
                    <TaskCard task={t} now={now} actions={actions} />
                  </li>
                );
              })}
            </Stack>
          </>
        )}
      </QueryView>
    </>
  );
}

/** Review queues, the decision modals, appeals, audit trails, and filing a policy change. */
export function GovernancePage({ tab, taskId }: { tab: string; taskId: string | null }) {
  const current = tab === 'requests' || tab === 'new' ? tab : 'approvals';
  const [deciding, setDeciding] = useState<{ task: ReviewTask; kind: DecisionKind } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  // A notice belongs to the tab it was given on: moving to another tab drops it.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on tab changes only
  useEffect(() => setNotice(null), [current]);
  const [refreshKey, setRefreshKey] = useState(0);
  const reviewable = useQuery(REVIEW_QUEUE, { scope: 'reviewable', first: 100 }, { refreshKey });
  const waiting = (reviewable.data?.reviewQueue.items ?? []).filter((t) => t.status === 'pending').length;
  const audit = taskId;

  return (
    <>
      <PageHeader
        title="Governance"
        subtitle="Changes that matter wait for the approvers their policy names, within an SLA, on an audited trail."
      />
      <Box sx={{ mb: 3, borderBottom: 1, borderColor: 'divider' }}>
        <Tabs value={current} aria-label="Governance views">
          <Tab
            value="approvals"
            component="a"
            href={href(['governance', 'approvals'])}
            label={
              <Badge badgeContent={waiting} color="error" sx={{ pr: waiting ? 1.5 : 0 }}>
                My approvals
              </Badge>
            }
          />
          <Tab value="requests" component="a" href={href(['governance', 'requests'])} label="My requests" />
          <Tab value="new" component="a" href={href(['governance', 'new'])} label="Request a change" />
        </Tabs>
      </Box>
      {notice ? (
        <Alert severity="success" onClose={() => setNotice(null)} sx={{ mb: 2 }} role="status">
          {notice}
        </Alert>
      ) : null}
      {current === 'new' ? (
        <Section title="Request a policy change">
          <PolicyChangeForm
            onRequested={(t) => {
              setNotice(`Request ${t.id} filed (${t.status}).`);
              setRefreshKey((k) => k + 1);
            }}
          />
        </Section>
      ) : (
        <Queue
          key={current}
          scope={current === 'approvals' ? 'reviewable' : 'requested'}
          refreshKey={refreshKey}
          onDecide={(task, kind) => setDeciding({ task, kind })}
          onAudit={(id) => navigate(href(['governance', current], { task: id }))}
        />
      )}
      <DecisionDialog
        task={deciding?.task ?? null}
        kind={deciding?.kind ?? 'approve'}
        onClose={() => setDeciding(null)}
        onDone={(t) => {
          const verb =
            deciding?.kind === 'approve' ? 'approved' : deciding?.kind === 'deny' ? 'denied' : 'appealed';
          setNotice(
            deciding?.kind === 'appeal'
              ? `Appeal filed for ${deciding.task.id}: it is now ${t.id} (${t.status}).`
              : `${deciding?.task.id} ${verb}; it is now ${t.status}.`,
          );
          setDeciding(null);
          setRefreshKey((k) => k + 1);
        }}
      />
      <AuditDialog taskId={audit} onClose={() => navigate(href(['governance', current]))} />
    </>
  );
}
