/**
 * When to touch nginx: pure, so the anti-flap rules are tested without timers or processes.
 * Two rules: a new upstream must stay unchanged for `settleMs` (a node flapping faster than that
 * never causes a reload), and two attempts are at least `minIntervalMs` apart (whatever flaps,
 * reloads are bounded). Each reload leaves old nginx workers behind until their connections close,
 * so a reload storm would pile up processes.
 */
export interface DebounceState {
  /** the text nginx is believed to run with (last successful reload, or the file found at start) */
  readonly applied: string | undefined
  /** the text waiting to settle, and since when it has been the wanted one */
  readonly candidate: string | undefined
  readonly candidateSince: number
  readonly lastAttemptAt: number | undefined
}

export interface DebounceRules {
  readonly settleMs: number
  readonly minIntervalMs: number
}

export type Decision =
  | { readonly action: 'none' }
  | { readonly action: 'wait', readonly why: 'settling' | 'min_interval', readonly untilMs: number }
  | { readonly action: 'apply' }

export function initialDebounce (applied: string | undefined): DebounceState {
  return { applied, candidate: undefined, candidateSince: 0, lastAttemptAt: undefined }
}

/** `immediate` skips settling (the very first poll: the file may be missing or stale). */
export function decide (
  s: DebounceState,
  wanted: string,
  now: number,
  rules: DebounceRules,
  immediate = false
): { state: DebounceState, decision: Decision } {
  if (wanted === s.applied) return { state: { ...s, candidate: undefined }, decision: { action: 'none' } }
  const state = wanted === s.candidate ? s : { ...s, candidate: wanted, candidateSince: now }
  const settledAt = state.candidateSince + rules.settleMs
  if (!immediate && now < settledAt) return { state, decision: { action: 'wait', why: 'settling', untilMs: settledAt } }
  if (state.lastAttemptAt !== undefined && now < state.lastAttemptAt + rules.minIntervalMs) {
    return { state, decision: { action: 'wait', why: 'min_interval', untilMs: state.lastAttemptAt + rules.minIntervalMs } }
  }
  return { state, decision: { action: 'apply' } }
}

/** After an attempt: success makes the text applied; a failure only starts the interval again. */
export function attempted (s: DebounceState, text: string, ok: boolean, now: number): DebounceState {
  return ok ? { applied: text, candidate: undefined, candidateSince: 0, lastAttemptAt: now } : { ...s, lastAttemptAt: now }
}
