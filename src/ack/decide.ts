/**
 * Acknowledged evacuation (docs/graceful-shutdown.md, "Acknowledged evacuation"): instead of letting EMQX
 * wait a blind `wait_health_check`, the sidecar drains at once and waits until the drain is acknowledged
 * (src/checkers/rule.ts), plus a grace for the load balancers to act on it, never longer than `--wait-health-check`.
 * Pure decisions only: ./wait.ts runs them on a timer.
 */
import type { AckEnd, EvidenceVerdict } from '../state/evacuation-types.js'
import { countAck, type AckChecker } from '../checkers/rule.js'

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

/** What every look reports: the memory to carry on and the counts by the rule. */
interface AckLook {
  readonly memory: AckMemory
  readonly known: number
  readonly told: number
  readonly awaited: readonly string[]
}

export type AckDecision =
  | AckLook & { readonly done: false, readonly stage: 'checkers' | 'grace' | 'quiet' }
  | AckLook & { readonly done: true, readonly endedBy: AckEnd }

/**
 * Whether an evacuation can wait for acknowledgements at all: with no checker expected and none required
 * there is nothing to confirm, so EMQX gets the whole configured wait_health_check, as without this feature.
 */
export function canAcknowledge (checkers: readonly AckChecker[], expect: number, now: number): boolean {
  return expect > 0 || countAck(checkers, expect, now).expected > 0
}

/**
 * One look at the checkers, by the rule (src/checkers/rule.ts): a checker that appears during the wait joins, one
 * that goes silent drops out; fewer than --expect-checkers, or none, waits for the maximum. Once every
 * expected checker is told and the grace has passed, CONNECTs that still arrive (`arrivals`, from EMQX's
 * counter: ./evidence.ts) hold the wait until they stop for the quiet window, or the maximum; without a
 * verdict that can judge (no counter, too little traffic) told + grace ends it, as before.
 */
export function decideAck (
  s: AckSettings, m: AckMemory, checkers: readonly AckChecker[], now: number, arrivals: EvidenceVerdict = 'no_counter'
): AckDecision {
  const count = countAck(checkers, s.expect, now)
  const { awaited, told } = count
  const known = count.expected
  const allTold = count.acknowledged
  const memory: AckMemory = {
    startedAt: m.startedAt,
    everSeen: m.everSeen || known > 0,
    // a checker that appears untold restarts the grace once it has been told
    ...(allTold ? { allToldAt: m.allToldAt ?? now } : {}),
  }
  const base = { memory, known, told, awaited }
  const graceOver = memory.allToldAt !== undefined && now >= memory.allToldAt + s.graceMs
  if (graceOver && arrivals !== 'arriving') return { ...base, done: true, endedBy: 'all_told' }
  if (now >= m.startedAt + s.maxMs) return { ...base, done: true, endedBy: memory.everSeen ? 'max_reached' : 'no_checkers' }
  return { ...base, done: false, stage: graceOver ? 'quiet' : allTold ? 'grace' : 'checkers' }
}

/** When the next look is due: at the end of the grace or of the maximum, else after `tickMs`. */
export function nextLookAt (s: AckSettings, d: AckDecision, now: number, tickMs: number): number {
  const max = d.memory.startedAt + s.maxMs
  const graceEnd = d.memory.allToldAt === undefined ? Infinity : d.memory.allToldAt + s.graceMs
  // once the grace is over (arrivals hold the wait), the next look is the tick's
  return Math.min(max, graceEnd > now ? graceEnd : Infinity, now + tickMs)
}

/** The checkers not told yet, or `fewer` than --expect-checkers; undefined when the drain is acknowledged. */
export function notAcknowledged (
  checkers: readonly AckChecker[], expect: number, now: number
): { readonly awaited: readonly string[], readonly fewer: boolean } | undefined {
  const count = countAck(checkers, expect, now)
  return count.acknowledged ? undefined : { awaited: count.awaited, fewer: count.fewer || count.expected === 0 }
}
