import type { ApiTarget } from '../emqx/api.js'
import type { FailureReason } from '../errors.js'
import type { OutcomeKind } from '../emqx/outcome.js'
import type { ClusterStatus } from '../emqx/global-status.js'
import type { LocalRebalance } from '../emqx/rebalance.js'

/**
 * starting: no answer from EMQX yet (503 until the first successful check)
 * up:       EMQX says the node may take new connections (200)
 * draining: EMQX answered 503 on availability_check: donor, evacuating or purging (503, agent `drain`);
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
 * starting: asked EMQX (or, where it refused wait_health_check, holding 503 for it before asking again);
 * awaiting_ack: draining, waiting until the drain is acknowledged (src/ack/rule.ts);
 * running: EMQX accepted, progress is being read; done: see DoneReason;
 * deadline: the time limit passed first; failed: EMQX refused or could not be asked.
 */
export type EvacuationPhase = 'starting' | 'awaiting_ack' | 'running' | 'done' | 'deadline' | 'failed'
export const EVACUATION_PHASES: readonly EvacuationPhase[] = ['starting', 'awaiting_ack', 'running', 'done', 'deadline', 'failed']

/**
 * How the acknowledged wait ended. all_told: the drain was acknowledged (src/ack/rule.ts) and the grace
 * passed; max_reached: --wait-health-check passed first (a checker not told, or fewer than
 * --expect-checkers); no_checkers: no checker was expected: the full blind wait, nothing to confirm.
 */
export type AckEnd = 'all_told' | 'max_reached' | 'no_checkers'
export const ACK_ENDS: readonly AckEnd[] = ['all_told', 'max_reached', 'no_checkers']

/** The wait for the load balancers' acknowledgement before EMQX is asked to evict (--evacuation-ack). */
/**
 * What EMQX's CONNECT counter says of a drain (src/ack/evidence.ts): not_draining; no_counter (unreadable:
 * no evidence, never "stopped"); too_little_traffic (the usual rate cannot tell quiet from chance);
 * arriving; quiet (no CONNECT for long enough to expect 5 at the usual rate).
 */
export type EvidenceVerdict = 'not_draining' | 'no_counter' | 'too_little_traffic' | 'arriving' | 'quiet'

export interface AckWaitProgress {
  /** checkers: not every expected checker told; grace: told, the grace runs; quiet: CONNECTs still arrive */
  readonly stage: 'checkers' | 'grace' | 'quiet' | 'ended'
  /** the arrival evidence at the last look */
  readonly arrivals?: EvidenceVerdict
  /** CONNECTs since the drain began, at the last look */
  readonly connectsSinceDrain?: number
  /** --expect-checkers */
  readonly expect: number
  /** checkers known at the last look, and how many of them had been told */
  readonly known: number
  readonly told: number
  /** the checkers not told yet (`kind source "user agent"`) */
  readonly awaited: readonly string[]
  /** the wait ends here at the latest (--wait-health-check) */
  readonly maxAt: number
  readonly allToldAt?: number
  readonly endedBy?: AckEnd
  readonly endedAt?: number
}

/**
 * Why an evacuation was called done (src/state/evacuation-progress.ts): prohibiting: EMQX finished;
 * empty: no connection and no session left in evicting_sessions; sessions_stalled: no connection left
 * and the session count stopped falling in evicting_sessions (5.8+ counts durable sessions eviction
 * cannot move and need not: EMQX keeps them in storage, and would stay in evicting_sessions for ever).
 */
export type DoneReason = 'prohibiting' | 'empty' | 'sessions_stalled'

/** The lowest session count seen in evicting_sessions with no connection left, since when, and reads since. */
export interface SessionsLow { readonly count: number, readonly since: number, readonly reads: number }

/** An evacuation of the local node started through the sidecar (POST /admin/evacuate, GET /prestop). */
export interface EvacuationProgress {
  readonly phase: EvacuationPhase
  readonly by: string
  readonly startedAt: number
  readonly deadlineAt: number
  readonly node?: string
  /** EMQX answered already_started: someone else had started it; treated as success */
  readonly alreadyStarted?: boolean
  readonly ack?: AckWaitProgress
  /** the wait_health_check EMQX was asked for (seconds); 0 for lines without the field, which evict at once */
  readonly waitHealthCheckS?: number
  /** when EMQX begins evicting: the moment it was asked plus that wait */
  readonly evictionStartsAt?: number
  /** EMQX's own evacuation state (waiting_health_check ... prohibiting) */
  readonly emqxState?: string
  readonly connections?: number
  readonly sessions?: number
  /** evicting_sessions with no connection left: the session count's lowest point (the stall rule) */
  readonly sessionsLow?: SessionsLow
  readonly doneReason?: DoneReason
  /** what the sessions left at `done` are, when some are */
  readonly sessionsNote?: string
  readonly finishedAt?: number
  readonly error?: string
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
