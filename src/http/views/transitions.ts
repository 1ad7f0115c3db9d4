import type { EvacuationPhase, NodeState, Reason, Snapshot } from '../../state/model.js'

/** One entry of the live page's timeline (GET /ui, GET /events): a change of what is served, with its cause. */
export interface TransitionView {
  readonly at: string
  readonly state: NodeState
  readonly reason: Reason
  /** who or what made the change: EMQX, a manual drain, the drain file, an evacuation phase, stopping */
  readonly cause: string
  readonly message: string
  readonly evacuation_phase: EvacuationPhase | null
  readonly manual_drain: boolean
  readonly drain_file: boolean
}

/**
 * What the timeline follows in a snapshot: the served state and reason, the evacuation's phase and the
 * drain switches. Anything else (a check's latency, progress counts, the cluster view) is progress, not a transition.
 */
export function transitionKey (s: Snapshot): string {
  const o = s.overrides
  return `${s.state}|${s.reason}|${o.evacuation?.phase ?? '-'}|${o.manualDrain === undefined ? 0 : 1}|${o.drainFile === undefined ? 0 : 1}`
}

/** The timeline entry of a snapshot; `at` is its `since` when the state moved, else the moment the change was seen. */
export function transitionView (s: Snapshot, stateMoved: boolean, now: number): TransitionView {
  const o = s.overrides
  const at = stateMoved ? s.since : now
  return {
    at: new Date(at).toISOString(),
    state: s.state,
    reason: s.reason,
    cause: causeOf(s),
    message: s.message,
    evacuation_phase: o.evacuation?.phase ?? null,
    manual_drain: o.manualDrain !== undefined,
    drain_file: o.drainFile !== undefined,
  }
}

function causeOf (s: Snapshot): string {
  const o = s.overrides
  switch (s.reason) {
    case 'shutdown': return 'stopping'
    case 'awaiting_first_check': return 'start-up'
    case 'manual_drain': return `manual drain${o.manualDrain === undefined ? '' : ` (${o.manualDrain.by})`}`
    case 'drain_file': return 'drain file'
    case 'evacuation': return `evacuation: ${o.evacuation?.phase ?? '?'}`
    case 'emqx_available': return 'EMQX: available'
    case 'emqx_unavailable': return 'EMQX: 503 (rebalance donor, evacuating or purging)'
    case 'emqx_not_running': return switches(s, 'EMQX: not running')
    default: return switches(s, `EMQX: ${s.reason.slice('emqx_'.length)}`)
  }
}

/** A drain switch or an evacuation outranked by EMQX being down still shows in the cause. */
function switches (s: Snapshot, base: string): string {
  const on = [
    s.overrides.manualDrain !== undefined ? 'manual drain on' : '',
    s.overrides.drainFile !== undefined ? 'drain file on' : '',
    s.overrides.evacuation !== undefined ? `evacuation ${s.overrides.evacuation.phase}` : '',
  ].filter((x) => x !== '')
  return on.length === 0 ? base : `${base}; ${on.join(', ')}`
}
