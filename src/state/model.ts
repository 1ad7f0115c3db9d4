import type { ApiTarget } from '../emqx/api.js'
import type { FailureReason } from '../errors.js'
import type { OutcomeKind } from '../emqx/outcome.js'
import type { ClusterStatus } from '../emqx/global-status.js'
import type { LocalRebalance } from '../emqx/rebalance.js'
import type { EvacuationProgress } from './evacuation-types.js'
import type { MembershipState } from './membership.js'
import type { KeyRefusal } from '../emqx/key-refusals.js'

/**
 * The snapshot: the node's state as served and as EMQX alone has it, the overrides, and the one decision
 * from a snapshot to the answer served. The evacuation and acknowledgement vocabulary is ./evacuation-types.ts.
 */

/**
 * starting: no answer from EMQX yet (503 until the first successful check)
 * up:       EMQX says the node may take new connections (200)
 * draining: EMQX answered 503 on availability_check: donor, evacuating or purging (503, agent `maint` or `drain`);
 *           or 500 during a purge on e5.2-5.3, whose availability_check crashes on every node but the coordinator
 * down:     EMQX unreachable, failing, or not running (503, agent `down`)
 * stopping: the sidecar is shutting down (503)
 */
export type NodeState = 'starting' | 'up' | 'draining' | 'down' | 'stopping'
export const NODE_STATES: readonly NodeState[] = ['starting', 'up', 'draining', 'down', 'stopping']

export type Reason =
  | 'awaiting_first_check'
  | 'emqx_available'
  | 'emqx_unavailable'
  /** e5.2-5.3: availability_check answered 500 while the cluster view lists a purge (./transition.ts) */
  | 'emqx_purging'
  | 'emqx_not_running'
  | `emqx_${FailureReason}`
  | 'shutdown'
  /** overrides set by the operator or by the sidecar's own evacuation (./overrides.ts) */
  | 'manual_drain'
  | 'drain_file'
  | 'evacuation'
  /** --expect-cluster-size: this node's own view of running nodes is a minority, or it is a replicant without a core (./membership.ts) */
  | 'not_in_cluster'

export interface LastCheck {
  readonly at: number
  readonly durationMs: number
  readonly outcome: OutcomeKind
  readonly failureReason?: FailureReason
  readonly detail?: string
}

/** A state with its reason and explanation, as EMQX's answers alone would have it. */
export interface Verdict {
  readonly state: NodeState
  readonly reason: Reason
  readonly message: string
}

/** Who switched a drain on, and when. `by` is a remote address, or `file` for the drain file. */
export interface DrainSwitch {
  readonly since: number
  readonly by: string
}

/**
 * Reasons to answer 503 that do not come from EMQX's availability answer. They are combined with
 * what EMQX says by the pure `effectiveVerdict` (./overrides.ts); every reader sees the result.
 */
export interface Overrides {
  /** POST /admin/drain; lives only as long as the process */
  readonly manualDrain?: DrainSwitch
  /** --drain-file exists */
  readonly drainFile?: DrainSwitch
  /** set the moment an evacuation is requested, before EMQX is called, and kept until stopped */
  readonly evacuation?: EvacuationProgress
  /** --expect-cluster-size: this node is not in its cluster by its own view (./membership.ts); only ever adds a drain */
  readonly notInCluster?: NotInCluster
}

/** The membership drain: since when, and the sentence of the view that decided it. */
export interface NotInCluster {
  readonly since: number
  readonly message: string
}

/** The whole in-memory view of the node. Immutable: each change makes a new one. */
export interface Snapshot {
  /** the state served to load balancers (EMQX's verdict combined with the overrides) */
  readonly state: NodeState
  readonly reason: Reason
  /** one human sentence explaining state + reason */
  readonly message: string
  /** epoch ms of the last state change */
  readonly since: number
  /** whether the last check got a usable answer from EMQX */
  readonly emqxAnswered: boolean
  readonly consecutiveFailures: number
  readonly lastCheck?: LastCheck
  readonly lastSuccessAt?: number
  readonly api?: ApiTarget
  readonly nodeName?: string
  readonly rebalance?: LocalRebalance
  readonly rebalanceError?: string
  /** what EMQX's answers alone say; differs from `state` while an override applies */
  readonly observed: Verdict
  readonly overrides: Overrides
  /** cluster-wide view from global_status (credentials needed) */
  readonly cluster?: ClusterStatus
  readonly clusterAt?: number
  readonly clusterError?: string
  /** this node's membership (--expect-cluster-size), from its own view of the cluster */
  readonly membership?: MembershipState
  /** reads on which EMQX refuses the API key now (401/403), one per read (src/state/key-refusals.ts) */
  readonly keyRefusals?: readonly KeyRefusal[]
}

/** Whether load balancers should send this node new connections. */
export function isAvailable (state: NodeState): boolean {
  return state === 'up'
}

/** What every reader serves for a snapshot: the HTTP probes, the agent-check words, metrics and /status. */
export interface ServedAnswer {
  readonly status: 200 | 503
  readonly available: boolean
  readonly state: NodeState
  readonly reason: Reason
  readonly since: number
}

/**
 * The one decision from a snapshot to the answer served: 200 only for `up`, 503 for everything else
 * (starting, draining, down, stopping). No other rule anywhere decides a 503.
 */
export function servedAnswer (s: Pick<Snapshot, 'state' | 'reason' | 'since'>): ServedAnswer {
  const available = isAvailable(s.state)
  return { status: available ? 200 : 503, available, state: s.state, reason: s.reason, since: s.since }
}
