import type { LocalRebalance } from '../emqx/rebalance.js'
import type { EvacuationProgress } from './model.js'

/** Phases after which nothing more happens until someone starts or stops again. */
export function isFinal (p: EvacuationProgress): boolean {
  return p.phase === 'done' || p.phase === 'deadline' || p.phase === 'failed'
}

/**
 * Folds one local rebalance status read into the progress. Pure.
 * Done when EMQX reaches `prohibiting`, or when no connection and no session is left once eviction
 * has begun (EMQX would otherwise still sit out wait_takeover with nothing to take over). An empty
 * node in waiting_health_check is not done: load balancers are still being given their time.
 * A status that no longer shows our evacuation means someone stopped it in EMQX.
 */
export function foldStatus (p: EvacuationProgress, rb: LocalRebalance, now: number): EvacuationProgress {
  if (rb.status !== 'enabled' || rb.process !== 'evacuation') {
    return { ...p, phase: 'failed', finishedAt: now, error: `the evacuation is no longer running in EMQX (status ${rb.status}${rb.process !== undefined ? `, process ${rb.process}` : ''}): stopped outside the sidecar?` }
  }
  const connections = rb.stats?.current_connected
  const sessions = rb.stats?.current_sessions
  const next: EvacuationProgress = {
    ...p,
    phase: 'running',
    ...(rb.state !== undefined ? { emqxState: rb.state } : {}),
    ...(connections !== undefined ? { connections } : {}),
    ...(sessions !== undefined ? { sessions } : {}),
  }
  const empty = connections === 0 && sessions === 0 && rb.state !== 'waiting_health_check'
  if (rb.state === 'prohibiting' || empty) return { ...next, phase: 'done', finishedAt: now }
  return next
}

/** The deadline check, after every read. */
export function checkDeadline (p: EvacuationProgress, now: number): EvacuationProgress {
  return !isFinal(p) && now >= p.deadlineAt ? { ...p, phase: 'deadline', finishedAt: now } : p
}
