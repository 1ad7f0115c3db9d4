import { servedAnswer, type DrainSwitch, type Snapshot } from '../../state/model.js'
import { type AckWaitProgress, type EvacuationProgress } from '../../state/evacuation-types.js'
import type { ClusterConfig } from '../../config/serve-types.js'
import { isBalanced, type ClusterStatus } from '../../emqx/global-status.js'
import type { DrainAcknowledgement } from '../../ack/drain.js'
import type { ArrivalEvidence } from '../../ack/evidence.js'
import type { CheckerTracker } from '../../checkers/tracker.js'
import { VERSION } from '../../version.js'
import { checkerView, drainAckView, drainEvidenceView } from './status-checkers.js'
import { membershipDocument } from './status-membership.js'
import { agentReply, rampPercent } from '../../agent/words.js'
import type { AgentDrainWord } from '../../config/serve-types.js'
import { refusalText } from '../../emqx/key-refusals.js'
import type { AckView, ClusterView, DrainSwitchView, EvacuationView, StatusDocument } from './status-types.js'

export interface StatusContext {
  readonly tracker?: CheckerTracker
  /** the drain's acknowledgement (src/ack/drain.ts); null in /status without it */
  readonly drainAck?: DrainAcknowledgement
  /** EMQX's CONNECT counter (src/ack/arrivals.ts) */
  readonly arrivals?: { evidence: (now: number) => ArrivalEvidence }
  readonly cluster?: ClusterConfig
  /** the agent-check listener runs (its ramp, --agent-ramp); null `agent` in /status without it */
  readonly agent?: { readonly rampMs: number, readonly drainWord: AgentDrainWord }
}

/** The cluster view with EMQX's balance condition evaluated per rebalance. */
export function clusterView (c: ClusterStatus, t: ClusterConfig | undefined): Omit<ClusterView, 'fetched_at'> {
  return {
    evacuations: c.evacuations,
    purges: c.purges,
    rebalances: c.rebalances.map((r) => ({
      ...r,
      recipient_conn_avg: r.connection_goal ?? null,
      recipient_sess_avg: r.disconnected_session_goal ?? null,
      balanced: t === undefined
        ? null
        : {
            connections: isBalanced(r.donor_conn_avg, r.connection_goal, t.conn) ?? null,
            sessions: isBalanced(r.donor_sess_avg, r.disconnected_session_goal, t.sess) ?? null,
            condition: 'avg(donor) =< avg(recipient) + abs_threshold or avg(donor) =< avg(recipient) * rel_threshold; ' +
              `sessions are disconnected sessions (conn: ${t.conn.abs}, ${t.conn.rel}; sess: ${t.sess.abs}, ${t.sess.rel})`,
          },
    })),
  }
}

/** The /status document: everything an operator wants to see about this node. No secrets live in a Snapshot. */
export function statusDocument (s: Snapshot, now: number, ctx: StatusContext = {}): StatusDocument {
  return {
    state: s.state,
    available: servedAnswer(s).available,
    reason: s.reason,
    message: s.message,
    since: isoAt(s.since),
    seconds_in_state: Math.max(0, (now - s.since) / 1000),
    emqx: {
      answered: s.emqxAnswered,
      api_version: s.api?.version ?? null,
      api_url: s.api?.base.href ?? null,
      api_mode: s.api?.mode ?? null,
      drains_detectable: s.api === undefined ? null : s.api.mode === 'rebalance',
      node_name: s.nodeName ?? null,
      consecutive_failures: s.consecutiveFailures,
      last_check: s.lastCheck === undefined
        ? null
        : {
            at: isoAt(s.lastCheck.at),
            duration_ms: Math.round(s.lastCheck.durationMs * 100) / 100,
            outcome: s.lastCheck.outcome,
            failure_reason: s.lastCheck.failureReason ?? null,
            detail: s.lastCheck.detail ?? null,
          },
      last_success: iso(s.lastSuccessAt),
      config_error: configError(s),
    },
    observed: { state: s.observed.state, reason: s.observed.reason, message: s.observed.message },
    overrides: {
      manual_drain: drainSwitch(s.overrides.manualDrain),
      drain_file: drainSwitch(s.overrides.drainFile),
      evacuation: s.overrides.evacuation === undefined ? null : evacuationDocument(s.overrides.evacuation),
      not_in_cluster: s.overrides.notInCluster === undefined
        ? null
        : { since: isoAt(s.overrides.notInCluster.since), message: s.overrides.notInCluster.message },
    },
    rebalance: s.rebalance ?? null,
    rebalance_error: s.rebalanceError ?? null,
    drain_acknowledgement: ctx.drainAck === undefined ? null : drainAckView(ctx.drainAck.progress(now)),
    drain_evidence: ctx.arrivals === undefined ? null : drainEvidenceView(ctx.arrivals.evidence(now)),
    checkers: ctx.tracker?.checkers(now).map(checkerView) ?? [],
    cluster: s.cluster === undefined ? null : { fetched_at: iso(s.clusterAt), ...clusterView(s.cluster, ctx.cluster) },
    cluster_error: s.clusterError ?? null,
    membership: membershipDocument(s, ctx.cluster?.expectSize ?? 0),
    agent: ctx.agent === undefined ? null : agentDocument(s, now, ctx.agent),
    sidecar: { version: VERSION, pid: process.pid, uptime_seconds: Math.round(process.uptime()) },
  }
}

/** What the agent-check listener answers now, and where its ramp (--agent-ramp) stands. */
function agentDocument (s: Snapshot, now: number, agent: NonNullable<StatusContext['agent']>): NonNullable<StatusDocument['agent']> {
  const { rampMs, drainWord } = agent
  const a = servedAnswer(s)
  const weight = a.available ? rampPercent(now - a.since, rampMs) ?? null : null
  const ramping = weight !== null && weight < 100
  return {
    words: agentReply(s, drainWord, now, rampMs).line,
    weight_percent: weight,
    ramp_seconds: rampMs / 1000,
    ramp_ends_at: ramping ? isoAt(a.since + rampMs) : null,
  }
}

/**
 * A configuration error: the check's auth failure, or a 403 on the rebalance status or the cluster view (an API key
 * without the cluster_operations scope, 6.0.3+ and 6.1.2+, where availability_check is public and answers anyway),
 * or a 401/403 on the membership read; every 401/403 on a read that sends the key (`keyRefusals`).
 */
function configError (s: Snapshot): string | null {
  if (s.lastCheck?.failureReason === 'auth') return s.lastCheck.detail ?? null
  // every read that sends the key, by name, with its status and the fix (src/emqx/key-refusals.ts)
  if (s.keyRefusals !== undefined && s.keyRefusals.length > 0) return s.keyRefusals.map(refusalText).join('; ')
  const keyed = [s.rebalanceError, s.clusterError].find((e) => e?.startsWith('EMQX answered 403') === true)
  // the membership read needs the key (--expect-cluster-size refuses to start without one): a 401 or 403 there is the key's fault
  return keyed ?? (/EMQX answered 40[13]\b/.test(s.membership?.error ?? '') ? s.membership?.error ?? null : null)
}

const isoAt = (ms: number): string => new Date(ms).toISOString()
const iso = (ms: number | undefined): string | null => (ms === undefined ? null : isoAt(ms))

function drainSwitch (d: DrainSwitch | undefined): DrainSwitchView | null {
  return d === undefined ? null : { since: isoAt(d.since), by: d.by }
}

/** An evacuation's progress as /status, /prestop and /admin/evacuate show it. */
export function evacuationDocument (e: EvacuationProgress): EvacuationView {
  return {
    phase: e.phase,
    node: e.node ?? null,
    requested_by: e.by,
    started_at: isoAt(e.startedAt),
    deadline: isoAt(e.deadlineAt),
    finished_at: iso(e.finishedAt),
    seconds: Math.round(((e.finishedAt ?? Date.now()) - e.startedAt) / 100) / 10,
    already_started: e.alreadyStarted ?? false,
    emqx_state: e.emqxState ?? null,
    connections: e.connections ?? null,
    sessions: e.sessions ?? null,
    done_reason: e.doneReason ?? null,
    sessions_note: e.sessionsNote ?? null,
    error: e.error ?? null,
    acknowledgement: e.ack === undefined ? null : ackDocument(e, e.ack),
    wait_health_check_sent: e.waitHealthCheckS ?? null,
    eviction_starts_at: iso(e.evictionStartsAt),
  }
}

/** The acknowledged wait (--evacuation-ack): who is still awaited, and why it ended. */
function ackDocument (e: EvacuationProgress, a: AckWaitProgress): AckView {
  const after = (ms: number | undefined): number | null => (ms === undefined ? null : Math.round(ms - e.startedAt) / 1000)
  return {
    stage: a.stage,
    checkers_known: a.known,
    checkers_told: a.told,
    checkers_expected: a.expect,
    awaited: a.awaited,
    all_told_after_seconds: after(a.allToldAt),
    max_at: isoAt(a.maxAt),
    ended_by: a.endedBy ?? null,
    ended_after_seconds: after(a.endedAt),
  }
}
