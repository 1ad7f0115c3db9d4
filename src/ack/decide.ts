/**
 * Acknowledged evacuation (docs/graceful-shutdown.md, "Acknowledged evacuation"): instead of letting EMQX
 * wait a blind `wait_health_check`, the sidecar drains at once and waits until every load balancer that
 * checks this node has been told (HTTP: `fall` drain answers; agent: one), plus a grace for the load
 * balancer to act on it, never longer than `--wait-health-check`. Pure decisions only: ./drain-ack-waiter.ts
 * runs them on a timer.
 */

/** One checker as the tracker shows it (a structural subset of its `CheckerInfo`). */
export interface AckChecker {
  readonly kind: string
  readonly source: string
  readonly userAgent: string
  /** has had enough drain answers to act (`fall` for HTTP, one for the agent) */
  readonly told: boolean
}

/**
 * all_told: every expected checker was told and the grace passed;
 * max_reached: --wait-health-check passed first (a checker not told, or fewer than --expect-checkers);
 * no_checkers: no checker was known: the full blind wait, nothing to confirm.
 */
export type AckEnd = 'all_told' | 'max_reached' | 'no_checkers'
export const ACK_ENDS: readonly AckEnd[] = ['all_told', 'max_reached', 'no_checkers']

export interface AckSettings {
  readonly graceMs: number
  /** --expect-checkers: fewer known checkers than this never shorten the wait */
  readonly expect: number
  /** --wait-health-check (bounded by the evacuation deadline) */
  readonly maxMs: number
}

/** What is carried from one look to the next. */
export interface AckMemory {
  readonly startedAt: number
  /** the first look at which every expected checker was told; the grace counts from here */
  readonly allToldAt?: number
  /** some checker was known at some look */
  readonly everSeen: boolean
}

export type AckDecision =
  | { readonly done: false, readonly stage: 'checkers' | 'grace', readonly memory: AckMemory, readonly known: number, readonly told: number, readonly awaited: readonly string[] }
  | { readonly done: true, readonly endedBy: AckEnd, readonly memory: AckMemory, readonly known: number, readonly told: number, readonly awaited: readonly string[] }

/** `agent 127.0.0.1` or `http 10.0.0.5 "kube-probe/1.29"`: how /status and the log name a checker. */
export function checkerId (c: AckChecker): string {
  return `${c.kind} ${c.source}${c.userAgent !== '' ? ` "${c.userAgent}"` : ''}`
}

/**
 * Whether an evacuation can wait for acknowledgements at all: with no checker known and none expected
 * there is nothing to confirm, so EMQX gets the whole configured wait_health_check, as without this feature.
 */
export function canAcknowledge (checkers: readonly AckChecker[], expect: number): boolean {
  return checkers.length > 0 || expect > 0
}

/**
 * One look at the checkers. Expected = every checker the tracker still knows (seen within --checker-ttl,
 * so one that appears during the wait joins, and one that went silent long enough drops out), and at
 * least --expect-checkers of them. Never shorter than that: fewer, or none, waits for the maximum.
 */
export function decideAck (s: AckSettings, m: AckMemory, checkers: readonly AckChecker[], now: number): AckDecision {
  const awaited = checkers.filter((c) => !c.told).map(checkerId)
  const known = checkers.length
  const told = known - awaited.length
  const allTold = known > 0 && known >= s.expect && awaited.length === 0
  const memory: AckMemory = {
    startedAt: m.startedAt,
    everSeen: m.everSeen || known > 0,
    // a checker that appears untold restarts the grace once it has been told
    ...(allTold ? { allToldAt: m.allToldAt ?? now } : {}),
  }
  const base = { memory, known, told, awaited }
  if (memory.allToldAt !== undefined && now >= memory.allToldAt + s.graceMs) return { ...base, done: true, endedBy: 'all_told' }
  if (now >= m.startedAt + s.maxMs) return { ...base, done: true, endedBy: memory.everSeen ? 'max_reached' : 'no_checkers' }
  return { ...base, done: false, stage: allTold ? 'grace' : 'checkers' }
}

/** When the next look is due: at the end of the grace or of the maximum, else after `tickMs`. */
export function nextLookAt (s: AckSettings, d: AckDecision, now: number, tickMs: number): number {
  const max = d.memory.startedAt + s.maxMs
  const grace = d.memory.allToldAt === undefined ? Infinity : d.memory.allToldAt + s.graceMs
  return Math.min(max, grace, now + tickMs)
}

/**
 * The smallest wait_health_check EMQX takes: `emqx_schema:timeout_duration_s()` is `0..4294967` on every
 * line with the field (e5.1.0 on), and a 0 s state_timeout starts the eviction at once
 * (apps/emqx_node_rebalance/src/emqx_node_rebalance_evacuation.erl). docs/emqx-compatibility.md has the evidence.
 */
export const MIN_WAIT_HEALTH_CHECK_S = 0

/** The checkers not told yet, or `fewer` when fewer than --expect-checkers are known; undefined when every expected checker was told. */
export function notAcknowledged (checkers: readonly AckChecker[], expect: number): { readonly awaited: readonly string[], readonly fewer: boolean } | undefined {
  const awaited = checkers.filter((c) => !c.told).map(checkerId)
  const fewer = checkers.length < expect
  return awaited.length > 0 || fewer ? { awaited, fewer } : undefined
}
