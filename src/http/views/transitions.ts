import type { NodeState, Reason, Snapshot } from '../../state/model.js'
import type { EvacuationPhase } from '../../state/evacuation-types.js'
import { phaseWords, processWords, reasonHeadline } from './ui-words.js'

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
  /** --expect-cluster-size: drained, not in its cluster by its own view */
  readonly not_in_cluster: boolean
}

/**
 * What the timeline follows in a snapshot: the served state and reason, the evacuation's phase and the
 * drain switches, and the membership drain. Anything else (a check's latency, progress counts, the cluster view) is progress,
 * not a transition.
 */
export function transitionKey (s: Snapshot): string {
  const o = s.overrides
  const on = (x: unknown): number => (x === undefined ? 0 : 1)
  return `${s.state}|${s.reason}|${o.evacuation?.phase ?? '-'}|${on(o.manualDrain)}|${on(o.drainFile)}|${on(o.notInCluster)}`
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
    not_in_cluster: o.notInCluster !== undefined,
  }
}

/**
 * Who or what made the change, as a sentence for the timeline. EMQX's 503 names the process once the local
 * rebalance status says which it is (the feed refines the current entry when that status comes later).
 */
export function causeOf (s: Snapshot): string {
  const o = s.overrides
  switch (s.reason) {
    case 'shutdown': return 'The sidecar is stopping'
    case 'awaiting_first_check': return 'The sidecar started'
    case 'manual_drain': return `Drained by hand${o.manualDrain === undefined ? '' : ` (by ${o.manualDrain.by})`}`
    case 'drain_file': return 'The drain file appeared'
    case 'evacuation': return `Evacuation through the sidecar: ${phaseWords(o.evacuation?.phase)}`
    case 'not_in_cluster': {
      const m = s.membership
      const seen = `it sees ${m?.view?.running.length ?? '?'} of ${m?.expect ?? '?'} nodes running`
      return `Not in its cluster: ${m?.verdict === 'no_core' ? 'a replicant that sees no running core' : seen}`
    }
    case 'emqx_available': return 'EMQX answered: available'
    case 'emqx_unavailable': {
      const known = s.rebalance?.status === 'enabled' ? processWords(s.rebalance.process) : undefined
      return `EMQX answered 503: ${known ?? 'a rebalance, an evacuation or a purge began'}`
    }
    case 'emqx_not_running': return switches(s, 'EMQX is not running')
    default: return switches(s, reasonHeadline(s.reason))
  }
}

/** A drain switch or an evacuation outranked by EMQX being down still shows in the cause. */
function switches (s: Snapshot, base: string): string {
  const on = [
    s.overrides.manualDrain !== undefined ? 'the manual drain is on' : '',
    s.overrides.drainFile !== undefined ? 'the drain file is there' : '',
    s.overrides.evacuation !== undefined ? `evacuation: ${phaseWords(s.overrides.evacuation.phase)}` : '',
    s.overrides.notInCluster !== undefined ? 'not in its cluster' : '',
  ].filter((x) => x !== '')
  return on.length === 0 ? base : `${base}; ${on.join(', ')}`
}
