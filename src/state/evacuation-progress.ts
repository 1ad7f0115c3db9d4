import type { LocalRebalance } from '../emqx/rebalance.js'
import type { EvacuationProgress } from './model.js'

/** Phases after which nothing more happens until someone starts or stops again. */
export function isFinal (p: EvacuationProgress): boolean {
  return p.phase === 'done' || p.phase === 'deadline' || p.phase === 'failed'
}

/**
 * Folds one local rebalance status read into the progress. Pure.
 * Done when EMQX reaches `prohibiting`, or when nothing is left in `evicting_sessions`. EMQX refreshes
 * `current_sessions` only in `evicting_sessions` (apps/emqx_node_rebalance/src/emqx_node_rebalance_evacuation.erl):
 * before that it still holds the count from the start, so "no session left" cannot be read earlier, and
 * disconnected sessions waiting for their clients (waiting_takeover) would be lost if the node stopped.
 * A status that no longer shows our evacuation means someone stopped it in EMQX.
 */
export function foldStatus (p: EvacuationProgress, rb: LocalRebalance, now: number): EvacuationProgress {
  if (rb.status !== 'enabled' || rb.process !== 'evacuation') {
    const ofProcess = rb.process !== undefined ? `, process ${rb.process}` : ''
    const error = `the evacuation is no longer running in EMQX (status ${rb.status}${ofProcess}): stopped outside the sidecar?`
    return { ...p, phase: 'failed', finishedAt: now, error }
  }
  const connections = rb.stats?.current_connected
  const fresh = rb.state === 'evicting_sessions' || rb.state === 'prohibiting'
  const sessions = fresh ? rb.stats?.current_sessions : undefined
  const next: EvacuationProgress = {
    ...p,
    phase: 'running',
    ...(rb.state !== undefined ? { emqxState: rb.state } : {}),
    ...(connections !== undefined ? { connections } : {}),
    ...(sessions !== undefined ? { sessions } : {}),
  }
  const empty = rb.state === 'evicting_sessions' && connections === 0 && sessions === 0
  if (rb.state === 'prohibiting' || empty) return { ...next, phase: 'done', finishedAt: now }
  return next
}

/** The deadline check, after every read. */
export function checkDeadline (p: EvacuationProgress, now: number): EvacuationProgress {
  return !isFinal(p) && now >= p.deadlineAt ? { ...p, phase: 'deadline', finishedAt: now } : p
}
