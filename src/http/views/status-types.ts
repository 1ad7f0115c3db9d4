/**
 * The /status document's shape: what the server renders (./status.ts) and what the `status` command
 * reads (src/commands/status.ts). Field names are the JSON's, snake_case; times are ISO 8601 strings.
 * Types only: the command imports nothing that runs from the server.
 */
import type { ApiMode, ApiVersion } from '../../emqx/api.js'
import type { ClusterRebalance, NodeProcess } from '../../emqx/global-status.js'
import type { FailureReason } from '../../errors.js'
import type { OutcomeKind } from '../../emqx/outcome.js'
import type { LocalRebalance } from '../../emqx/rebalance.js'
import type { CheckerKind } from '../../checkers/protocols.js'
import type { ConnectSource, SourceState } from '../../emqx/counter-sources.js'
import type { MembershipVerdict } from '../../state/membership.js'
import type { NodeState, Reason } from '../../state/model.js'
import type { AckEnd, AckWaitProgress, DoneReason, EvidenceVerdict, EvacuationPhase } from '../../state/evacuation-types.js'

export interface StatusDocument {
  readonly state: NodeState
  readonly available: boolean
  readonly reason: Reason
  readonly message: string
  readonly since: string
  readonly seconds_in_state: number
  readonly emqx: EmqxView
  /** what EMQX's answers alone say; differs from `state` while an override applies */
  readonly observed: { readonly state: NodeState, readonly reason: Reason, readonly message: string }
  readonly overrides: {
    readonly manual_drain: DrainSwitchView | null
    readonly drain_file: DrainSwitchView | null
    readonly evacuation: EvacuationView | null
    /** --expect-cluster-size: drained because this node is not in its cluster by its own view */
    readonly not_in_cluster: { readonly since: string, readonly message: string } | null
  }
  /** EMQX's local rebalance status, its documented fields as EMQX names them */
  readonly rebalance: LocalRebalance | null
  readonly rebalance_error: string | null
  readonly drain_acknowledgement: DrainAckView | null
  /** what EMQX's CONNECT counter says of the drain (src/ack/evidence.ts); null without the watch */
  readonly drain_evidence: DrainEvidenceView | null
  readonly checkers: readonly CheckerView[]
  readonly cluster: ClusterView | null
  readonly cluster_error: string | null
  /** this node's own view of its cluster and what it decides (--expect-cluster-size); null when off */
  readonly membership: MembershipDocument | null
  /** the agent-check listener's answer now; null when it is off */
  readonly agent: {
    /** the line HAProxy reads, e.g. `up ready 37% #up emqx_available` */
    readonly words: string
    /** --agent-ramp: the weight sent, percent of the server's HAProxy weight; null when none is sent */
    readonly weight_percent: number | null
    readonly ramp_seconds: number
    /** while the weight still rises: when it reaches 100% */
    readonly ramp_ends_at: string | null
  } | null
  readonly sidecar: { readonly version: string, readonly pid: number, readonly uptime_seconds: number }
}

export interface EmqxView {
  readonly answered: boolean
  readonly api_version: ApiVersion | null
  readonly api_url: string | null
  readonly api_mode: ApiMode | null
  readonly drains_detectable: boolean | null
  readonly node_name: string | null
  readonly consecutive_failures: number
  readonly last_check: {
    readonly at: string
    readonly duration_ms: number
    readonly outcome: OutcomeKind
    readonly failure_reason: FailureReason | null
    readonly detail: string | null
  } | null
  readonly last_success: string | null
  readonly config_error: string | null
}

export interface DrainSwitchView { readonly since: string, readonly by: string }

/** An evacuation's progress as /status, /prestop and /admin/evacuate show it. */
export interface EvacuationView {
  readonly phase: EvacuationPhase
  readonly node: string | null
  readonly requested_by: string
  readonly started_at: string
  readonly deadline: string
  readonly finished_at: string | null
  readonly seconds: number
  readonly already_started: boolean
  readonly emqx_state: string | null
  readonly connections: number | null
  readonly sessions: number | null
  /** why `done` came (prohibiting, empty, sessions_stalled); null before */
  readonly done_reason: DoneReason | null
  /** what the sessions left at `done` are (sessions_stalled: durable sessions in storage, sessions EMQX could not hand over,
   * or either when it is not known whether durable sessions are on) */
  readonly sessions_note: string | null
  readonly error: string | null
  readonly acknowledgement: AckView | null
  readonly wait_health_check_sent: number | null
  readonly eviction_starts_at: string | null
}

/** The acknowledged wait (--evacuation-ack): who is still awaited, and why it ended. */
export interface AckView {
  readonly stage: AckWaitProgress['stage']
  readonly checkers_known: number
  readonly checkers_told: number
  readonly checkers_expected: number
  readonly awaited: readonly string[]
  readonly all_told_after_seconds: number | null
  readonly max_at: string
  readonly ended_by: AckEnd | null
  readonly ended_after_seconds: number | null
}

/** One load-balancer checker, as /status lists it. */
export interface CheckerView {
  readonly source: string
  readonly kind: CheckerKind
  readonly user_agent: string
  readonly first_seen: string
  readonly last_seen: string
  readonly probes: number
  readonly interval_ms: number | null
  readonly last_answer: string
  readonly drain_answers: number
  readonly fall: number
  /** told of the current drain (src/checkers/rule.ts) */
  readonly told: boolean
  /** when it was told: the probe that brought its drain answers to `fall` */
  readonly told_at: string | null
  /** interval x fall: how long this checker needs to take the node out */
  readonly detection_ms: number | null
  readonly within_budget: boolean | null
}

/** Whether every active checker has been told about the current drain. */
export interface DrainAckView {
  readonly draining_since: string | null
  readonly acknowledged: boolean
  readonly acknowledged_after_seconds: number | null
  readonly checkers_told: number
  readonly checkers_active: number
}

/** EMQX's own count of arriving CONNECTs during the current drain (docs/graceful-shutdown.md, "Arrival evidence"). */
export interface DrainEvidenceView {
  readonly verdict: EvidenceVerdict
  readonly source: ConnectSource | null
  readonly connects_total: number | null
  readonly usual_rate_per_second: number | null
  /** CONNECTs per second during the drain, up to its last arrival (null while none arrived); the quiet window takes the larger rate */
  readonly drain_rate_per_second: number | null
  readonly draining_since: string | null
  readonly eviction_since: string | null
  readonly connects_since_drain: number | null
  readonly connects_since_eviction: number | null
  readonly last_arrival: string | null
  readonly quiet_seconds: number | null
  readonly quiet_window_seconds: number | null
  readonly last_read: string | null
  readonly error: string | null
  /** which source the counter is read from and why not the others (docs/emqx-compatibility.md, "Arrivals") */
  readonly counter: CounterView | null
}

/**
 * The CONNECT counter's source: the one in use (null while none is) and, for every source, its standing and why it
 * is not the one read. Before the first reading it says what will be tried with this configuration.
 */
export interface CounterView {
  readonly source: ConnectSource | null
  /** one line, e.g. `prometheus (no credentials: /api/v5/metrics needs an API key)`, `none: ...`, `will try ...` */
  readonly summary: string
  /** a source is in use, or none can be: only a change of EMQX changes it */
  readonly settled: boolean
  readonly sources: ReadonlyArray<{
    readonly source: ConnectSource
    readonly request: string
    readonly state: SourceState
    /** the status EMQX answered (refused, unreadable) */
    readonly http_status: number | null
    /** null for the source in use */
    readonly why: string | null
  }>
}

/** What /status shows of membership (src/state/membership.ts). */
export interface MembershipDocument {
  readonly expect: number
  readonly verdict: MembershipVerdict | null
  /** whether the node drains for it now (reason not_in_cluster) */
  readonly drains: boolean
  readonly message: string
  /** the last view read: running nodes (this one included), how many, this node, its role and the running cores it sees */
  readonly running: readonly string[] | null
  readonly running_count: number | null
  readonly self: string | null
  readonly role: 'core' | 'replicant' | null
  readonly cores: readonly string[] | null
  /** 4.4: known nodes not running */
  readonly stopped: readonly string[] | null
  readonly topology_note: string | null
  readonly view_at: string | null
  /** why the last read failed, and how many reads in a row did */
  readonly error: string | null
  readonly unreadable_reads: number
}

/** EMQX's global_status, with its balance condition evaluated per rebalance (null without thresholds). */
export interface ClusterView {
  readonly fetched_at: string | null
  readonly evacuations: readonly NodeProcess[]
  readonly purges: readonly NodeProcess[]
  readonly rebalances: ReadonlyArray<ClusterRebalance & {
    readonly recipient_conn_avg: number | null
    readonly recipient_sess_avg: number | null
    readonly balanced: { readonly connections: boolean | null, readonly sessions: boolean | null, readonly condition: string } | null
  }>
}

/**
 * The document as the `status` command receives it: the same shape, any field possibly missing
 * (a sidecar of another version), so every read is optional.
 */
export type Received<T> = T extends ReadonlyArray<infer U>
  ? ReadonlyArray<Received<U>>
  : T extends object ? { readonly [K in keyof T]?: Received<T[K]> } : T

export type ReceivedStatus = Received<StatusDocument>
