/**
 * The acknowledgement and evacuation vocabulary: an evacuation the sidecar started, the wait for the load
 * balancers' acknowledgement before EMQX evicts (src/checkers/rule.ts decides "told"), and what EMQX's CONNECT
 * counter says of a drain. The snapshot (./model.ts) carries an EvacuationProgress among its overrides.
 */
/**
 * starting: asked EMQX (or, where it refused wait_health_check, holding 503 for it before asking again);
 * awaiting_ack: draining, waiting until the drain is acknowledged (src/checkers/rule.ts);
 * running: EMQX accepted, progress is being read; done: see DoneReason;
 * deadline: the time limit passed first; failed: EMQX refused or could not be asked.
 */
export type EvacuationPhase = 'starting' | 'awaiting_ack' | 'running' | 'done' | 'deadline' | 'failed'
export const EVACUATION_PHASES: readonly EvacuationPhase[] = ['starting', 'awaiting_ack', 'running', 'done', 'deadline', 'failed']

/**
 * How the acknowledged wait ended. all_told: the drain was acknowledged (src/checkers/rule.ts) and the grace
 * passed; max_reached: --wait-health-check passed first (a checker not told, or fewer than
 * --expect-checkers); no_checkers: no checker was expected: the full blind wait, nothing to confirm.
 */
export type AckEnd = 'all_told' | 'max_reached' | 'no_checkers'
export const ACK_ENDS: readonly AckEnd[] = ['all_told', 'max_reached', 'no_checkers']

/**
 * What EMQX's CONNECT counter says of a drain (src/ack/evidence.ts): not_draining; no_counter (unreadable:
 * no evidence, never "stopped"); too_little_traffic (the usual rate cannot tell quiet from chance);
 * arriving; quiet (no CONNECT for long enough to expect 5 at the usual rate).
 */
export type EvidenceVerdict = 'not_draining' | 'no_counter' | 'too_little_traffic' | 'arriving' | 'quiet'

/** The wait for the load balancers' acknowledgement before EMQX is asked to evict (--evacuation-ack). */
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
 * cannot move and need not: EMQX keeps them in storage, and would stay in evicting_sessions for ever; or, durable
 * sessions off, sessions EMQX could not hand over: sessionsNote says which, as far as the sidecar knows).
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
