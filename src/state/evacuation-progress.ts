import type { LocalRebalance } from '../emqx/rebalance.js'
import type { EvacuationProgress, SessionsLow } from './evacuation-types.js'

/** Phases after which nothing more happens until someone starts or stops again. */
export function isFinal (p: EvacuationProgress): boolean {
  return p.phase === 'done' || p.phase === 'deadline' || p.phase === 'failed'
}

/**
 * The stall rule: in evicting_sessions with no connection left, reads in a row without a new lowest session
 * count, and at least this long since the lowest (five of EMQX's 1 s eviction rounds, ?EVICT_INTERVAL in
 * apps/emqx_node_rebalance/include/emqx_node_rebalance.hrl): while sessions can move they fall every round.
 */
export const SESSION_STALL_READS = 3
export const SESSION_STALL_MS = 5000

/**
 * Folds one local rebalance status read into the progress. Pure.
 * Done when EMQX reaches `prohibiting`, or when nothing is left in `evicting_sessions`. EMQX refreshes
 * `current_sessions` only in `evicting_sessions` (apps/emqx_node_rebalance/src/emqx_node_rebalance_evacuation.erl):
 * before that it still holds the count from the start, so "no session left" cannot be read earlier, and
 * disconnected sessions waiting for their clients (waiting_takeover) would be lost if the node stopped.
 * From 5.8 `emqx_eviction_agent:session_count/0` adds the cluster-wide count of disconnected durable sessions
 * (emqx_persistent_session_bookkeeper), which eviction cannot move and need not (they live in storage), so
 * EMQX may never leave `evicting_sessions`: done too once connections are 0 and the session count has
 * stopped falling (SESSION_STALL_READS reads and `stallMs`), with a note saying what the sessions left are.
 * `durable` is whether durable sessions are enabled (src/emqx/connects.ts `durableSessions`; undefined: not known):
 * when they are off, the bookkeeper's count is 0 (`get_disconnected_session_count/0` at v5.8.0), so none of the
 * sessions left is a durable one.
 * A status that no longer shows our evacuation means someone stopped it in EMQX.
 */
export function foldStatus (
  p: EvacuationProgress, rb: LocalRebalance, now: number, stallMs = SESSION_STALL_MS, durable?: boolean
): EvacuationProgress {
  if (rb.status !== 'enabled' || rb.process !== 'evacuation') {
    const ofProcess = rb.process !== undefined ? `, process ${rb.process}` : ''
    const error = `the evacuation is no longer running in EMQX (status ${rb.status}${ofProcess}): stopped outside the sidecar?`
    return { ...p, phase: 'failed', finishedAt: now, error }
  }
  const connections = rb.stats?.current_connected
  const fresh = rb.state === 'evicting_sessions' || rb.state === 'prohibiting'
  const sessions = fresh ? rb.stats?.current_sessions : undefined
  const { sessionsLow: _low, ...rest } = p
  const low = rb.state === 'evicting_sessions' && connections === 0 && sessions !== undefined && sessions > 0
    ? lowest(p.sessionsLow, sessions, now)
    : undefined
  const next: EvacuationProgress = {
    ...rest,
    phase: 'running',
    ...(rb.state !== undefined ? { emqxState: rb.state } : {}),
    ...(connections !== undefined ? { connections } : {}),
    ...(sessions !== undefined ? { sessions } : {}),
    ...(low !== undefined ? { sessionsLow: low } : {}),
  }
  if (rb.state === 'prohibiting') return { ...next, phase: 'done', finishedAt: now, doneReason: 'prohibiting' }
  if (rb.state === 'evicting_sessions' && connections === 0 && sessions === 0) {
    return { ...next, phase: 'done', finishedAt: now, doneReason: 'empty' }
  }
  if (low !== undefined && low.reads >= SESSION_STALL_READS && now - low.since >= stallMs) {
    const sessionsNote = stalledNote(low.count, rb.session_recipients, (now - low.since) / 1000, durable)
    return { ...next, phase: 'done', finishedAt: now, doneReason: 'sessions_stalled', sessionsNote }
  }
  return next
}

function lowest (low: SessionsLow | undefined, sessions: number, now: number): SessionsLow {
  return low === undefined || sessions < low.count ? { count: sessions, since: now, reads: 0 } : { ...low, reads: low.reads + 1 }
}

/**
 * What the sessions left are. EMQX's eviction agent (emqx_eviction_agent.erl, v5.8.0) counts `session_count(any)`, the
 * node's channels of ?CONN_MODULES in any state, plus, from 5.8, the bookkeeper's cluster-wide count of disconnected
 * durable sessions (0 when durable sessions are off). With no connection left, the channels are disconnected sessions
 * each eviction round hands to a node of session_recipients (`evict_session_channel`); one whose takeover fails stays
 * here and is tried again next round, EMQX logging evict_session_channel_error (or _rpc_error, _no_session).
 */
function stalledNote (count: number, recipients: readonly string[] | undefined, seconds: number, durable: boolean | undefined): string {
  const left = `${count} session${count === 1 ? '' : 's'} left, not falling for ${Math.round(seconds * 10) / 10}s with no connection left`
  if (recipients !== undefined && recipients.length === 0) {
    return `${left}: EMQX has no node to move sessions to (session_recipients is empty), so they stay where they are`
  }
  if (durable === true) {
    return `${left}: sessions left are durable sessions EMQX keeps in storage (5.8+ counts them, cluster-wide; ` +
      'eviction cannot move them and need not)'
  }
  const moved = 'disconnected sessions on this node EMQX could not hand over to another node (each round tries again; ' +
    'EMQX logs evict_session_channel_error for them)'
  if (durable === false) return `${left}: durable sessions are off, so the sessions left are ${moved}`
  return `${left}: not known whether durable sessions are on (only /api/v5/prometheus/stats shows it, and the CONNECT ` +
    `counter was not read from it): the sessions left are durable sessions EMQX keeps in storage (5.8+ counts them) or ${moved}`
}

/** The deadline check, after every read. */
export function checkDeadline (p: EvacuationProgress, now: number): EvacuationProgress {
  return !isFinal(p) && now >= p.deadlineAt ? { ...p, phase: 'deadline', finishedAt: now } : p
}
