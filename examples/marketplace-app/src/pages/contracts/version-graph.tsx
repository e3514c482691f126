import WarningAmber from '@mui/icons-material/WarningAmber';
import { Alert, Box, Chip, Stack, Typography, useTheme } from '@mui/material';
import { useId, useMemo } from 'react';
import type { ContractSubject } from '../../api/types.js';
import { RawDetails } from '../../components/raw-details.js';
import { plural } from '../../format/plural.js';
import { useNow } from '../../use-now.js';
import {
  layoutVersionGraph,
  ruleOperations,
  ruleTitle,
  summarizeVersionGraph,
  type VersionGraph,
} from './migration-graph.js';

/** The picture: versions as circles, upgrade rules as arcs above, downgrades below; hover shows a rule. */
function GraphPicture({ subject, graph }: { subject: string; graph: VersionGraph }) {
  const theme = useTheme();
  const titleId = useId();
  const markerUp = useId();
  const markerDown = useId();
  const up = theme.palette.primary.main;
  const down = theme.palette.secondary.main;
  const ink = theme.palette.text.primary;
  const muted = theme.palette.text.secondary;
  return (
    <Box sx={{ overflowX: 'auto' }}>
      <svg
        role="img"
        aria-labelledby={titleId}
        width={graph.width}
        height={graph.height}
        viewBox={`0 0 ${graph.width} ${graph.height}`}
        style={{ display: 'block', fontFamily: theme.typography.fontFamily }}
      >
        <title id={titleId}>{summarizeVersionGraph(subject, graph)}</title>
        <defs>
          {[
            [markerUp, up],
            [markerDown, down],
          ].map(([id, color]) => (
            <marker
              key={id}
              id={id}
              viewBox="0 0 10 10"
              refX="9"
              refY="5"
              markerWidth="7"
              markerHeight="7"
              orient="auto-start-reverse"
            >
              <path d="M 0 0 L 10 5 L 0 10 z" fill={color} />
            </marker>
          ))}
        </defs>
        {graph.nodes.slice(1).map((n, i) => (
          <line
            key={`line-${n.version}`}
            x1={(graph.nodes[i]?.x ?? 0) + graph.radius}
            x2={n.x - graph.radius}
            y1={graph.cy}
            y2={graph.cy}
            stroke={theme.palette.divider}
            strokeWidth={2}
          />
        ))}
        {graph.edges.map((e) => {
          const ops = ruleOperations(e.rule);
          return (
            <g key={`${e.rule.from}-${e.rule.to}`}>
              <title>
                {[ruleTitle(e.rule), e.rule.description, ...ops].filter((s) => s !== null).join('\n')}
              </title>
              {/* A wide transparent stroke makes the thin arc easy to hover. */}
              <path d={e.d} fill="none" stroke="transparent" strokeWidth={14} />
              <path
                d={e.d}
                fill="none"
                stroke={e.upgrade ? up : down}
                strokeWidth={2}
                strokeDasharray={e.upgrade ? undefined : '6 4'}
                markerEnd={`url(#${e.upgrade ? markerUp : markerDown})`}
              />
            </g>
          );
        })}
        {graph.nodes.map((n) => {
          const deprecated = n.deprecation.state !== 'none';
          return (
            <g key={n.version}>
              <title>
                {[
                  `v${n.version}`,
                  n.latest ? 'latest' : null,
                  n.deleted ? 'deleted' : null,
                  n.deprecation.label,
                ]
                  .filter((s) => s)
                  .join(' · ')}
              </title>
              <circle
                cx={n.x}
                cy={graph.cy}
                r={graph.radius}
                fill={n.latest ? up : theme.palette.background.paper}
                stroke={deprecated ? theme.palette.warning.main : n.latest ? up : muted}
                strokeWidth={deprecated ? 3 : 2}
                strokeDasharray={deprecated || n.deleted ? '5 3' : undefined}
              />
              <text
                x={n.x}
                y={graph.cy + 5}
                textAnchor="middle"
                fontSize={15}
                fontWeight={700}
                fill={n.latest ? theme.palette.primary.contrastText : ink}
              >
                v{n.version}
              </text>
              {deprecated ? (
                <text
                  x={n.x}
                  y={graph.height - 6}
                  textAnchor="middle"
                  fontSize={12}
                  fill={theme.palette.warning.main}
                >
                  {n.deprecation.state === 'closed' ? 'window closed' : 'deprecated'}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
    </Box>
  );
}

/**
 * A subject's version graph: the versions with their deprecation, and the migration rules between them
 * (upgrades and downgrades) with their operations, as a picture and as a list that opens each rule.
 */
export function VersionGraphPanel({ subject }: { subject: ContractSubject }) {
  // Windows are days long: a minute's precision is plenty.
  const now = useNow(60_000);
  const graph = useMemo(
    () => layoutVersionGraph(subject.versions, subject.migrationRules, subject.latest.version, now),
    [subject, now],
  );
  const deprecated = graph.nodes.filter((n) => n.deprecation.state !== 'none');
  return (
    <Stack spacing={2}>
      <Typography variant="body2" color="text.secondary">
        Readers and writers on different versions meet through these rules: records are migrated step by step
        along the arrows.{' '}
        <Box component="span" sx={{ color: 'primary.main', fontWeight: 600 }}>
          Solid arcs
        </Box>{' '}
        are upgrades,{' '}
        <Box component="span" sx={{ color: 'secondary.main', fontWeight: 600 }}>
          dashed arcs
        </Box>{' '}
        downgrades; hover an arc for its operations, or open a rule below.
      </Typography>
      <GraphPicture subject={subject.subject} graph={graph} />
      {deprecated.length > 0 ? (
        <Box
          component="ul"
          aria-label={`Deprecated versions of ${subject.subject}`}
          sx={{ m: 0, pl: 0, listStyle: 'none' }}
        >
          {deprecated.map((n) => (
            <Box component="li" key={n.version}>
              <Alert
                role="note"
                severity={n.deprecation.state === 'closed' ? 'error' : 'warning'}
                icon={<WarningAmber />}
                sx={{ mb: 1 }}
              >
                <strong>v{n.version}</strong> is {n.deprecation.label}.{' '}
                {n.deprecation.state === 'closed'
                  ? 'It no longer negotiates: an installation that needs it is refused, naming the window.'
                  : 'Plugins served this version keep working until then.'}
              </Alert>
            </Box>
          ))}
        </Box>
      ) : null}
      <Typography variant="subtitle1" component="h3" sx={{ fontWeight: 600 }}>
        Migration rules ({subject.migrationRules.length})
      </Typography>
      {subject.migrationRules.length === 0 ? (
        <Typography variant="body2" color="text.secondary">
          No migration rule is registered: only schema compatibility bridges these versions.
        </Typography>
      ) : (
        <Box
          component="ul"
          aria-label={`Migration rules of ${subject.subject}`}
          sx={{ m: 0, pl: 0, listStyle: 'none' }}
        >
          {graph.edges.map(({ rule, upgrade }) => {
            const ops = ruleOperations(rule);
            return (
              <Box
                component="li"
                key={`${rule.from}-${rule.to}`}
                sx={{ border: 1, borderColor: 'divider', borderRadius: 1, mb: 1, px: 2, py: 1 }}
              >
                <details>
                  <Typography component="summary" variant="body2" sx={{ cursor: 'pointer' }}>
                    <Chip
                      size="small"
                      color={upgrade ? 'primary' : 'secondary'}
                      variant={upgrade ? 'filled' : 'outlined'}
                      label={ruleTitle(rule)}
                      sx={{ mr: 1 }}
                    />
                    {plural(ops.length, 'operation')}
                    {rule.description ? ` · ${rule.description}` : ''}
                  </Typography>
                  {ops.length > 0 ? (
                    <Box component="ol" aria-label={`Operations of ${ruleTitle(rule)}`} sx={{ my: 1, pl: 3 }}>
                      {ops.map((op, i) => (
                        // biome-ignore lint/suspicious/noArrayIndexKey: operations are ordered and may repeat
                        <li key={i}>
                          <code>{op}</code>
                        </li>
                      ))}
                    </Box>
                  ) : null}
                  <RawDetails label={`${ruleTitle(rule)} (JSON Patch)`} value={rule.operations} />
                </details>
              </Box>
            );
          })}
        </Box>
      )}
      {graph.gaps.length > 0 ? (
        <Typography variant="body2" color="text.secondary" aria-label="Versions without a rule">
          No rule between {graph.gaps.map((g) => `v${g.from} and v${g.to}`).join(', ')}: the schemas'
          compatibility alone bridges {graph.gaps.length === 1 ? 'them' : 'each pair'}, where it can.
        </Typography>
      ) : null}
    </Stack>
  );
}
