import type { ApiTarget } from '../emqx/api.js'
import type { FailureReason, OutcomeKind } from '../emqx/outcome.js'
import type { ClusterStatus } from '../emqx/global-status.js'
import type { LocalRebalance } from '../emqx/rebalance.js'

/**
 * starting: no answer from EMQX yet (503 until the first successful check)
 * up:       EMQX says the node may take new connections (200)
 * draining: EMQX answered 503 on availability_check: donor, evacuating or purging (503, agent `drain`)
 * down:     EMQX unreachable, failing, or not running (503, agent `down`)
 * stopping: the sidecar is shutting down (503)
 */
export type NodeState = 'starting' | 'up' | 'draining' | 'down' | 'stopping'
export const NODE_STATES: readonly NodeState[] = ['starting', 'up', 'draining', 'down', 'stopping']

export type Reason =
  | 'awaiting_first_check'
  | 'emqx_available'
  | 'emqx_unavailable'
  | 'emqx_not_running'
  | `emqx_${FailureReason}`
  | 'shutdown'

export interface LastCheck {
  readonly at: number
  readonly durationMs: number
  readonly outcome: OutcomeKind
  readonly failureReason?: FailureReason
  readonly detail?: string
}

/** The whole in-memory view of the node. Immutable: each change makes a new one. */
export interface Snapshot {
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
  /** cluster-wide view from global_status (credentials needed) */
  readonly cluster?: ClusterStatus
  readonly clusterAt?: number
  readonly clusterError?: string
}

/** Whether load balancers should send this node new connections. */
export function isAvailable (state: NodeState): boolean {
  return state === 'up'
}
