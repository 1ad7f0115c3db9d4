/**
 * The /status document's shape: what the server renders (./status.ts) and what the `status` command
 * reads (src/commands/status.ts). Field names are the JSON's, snake_case; times are ISO 8601 strings.
 */
import type { CheckerKind } from '../probers/tracker.js'

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
  readonly told: boolean
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
