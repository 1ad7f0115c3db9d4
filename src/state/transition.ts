import type { CheckOutcome } from '../emqx/outcome.js'
import type { LastCheck, NodeState, Reason, Snapshot } from './model.js'

export interface CheckEvent {
  readonly outcome: CheckOutcome
  readonly at: number
  readonly durationMs: number
}

export function initialSnapshot (now: number): Snapshot {
  return {
    state: 'starting',
    reason: 'awaiting_first_check',
    message: 'waiting for the first answer from EMQX',
    since: now,
    emqxAnswered: false,
    consecutiveFailures: 0,
  }
}

/**
 * The pure heart of the sidecar: previous snapshot + one check -> next snapshot.
 * EMQX's own 503 drains on the first answer with no hysteresis: every second spent here is taken
 * out of EMQX's wait_health_check. Failures keep the last state until `failureThreshold` in a row.
 */
export function applyCheck (prev: Snapshot, ev: CheckEvent, failureThreshold: number): Snapshot {
  if (prev.state === 'stopping') return prev
  const { outcome } = ev
  const lastCheck: LastCheck = outcome.kind === 'failure'
    ? { at: ev.at, durationMs: ev.durationMs, outcome: outcome.kind, failureReason: outcome.reason, detail: outcome.detail }
    : { at: ev.at, durationMs: ev.durationMs, outcome: outcome.kind }

  switch (outcome.kind) {
    case 'available':
      return moveTo({ ...prev, lastCheck, emqxAnswered: true, consecutiveFailures: 0, lastSuccessAt: ev.at }, 'up', 'emqx_available',
        prev.api?.mode === 'node_status'
          ? 'EMQX is running (open-source fallback: drains cannot be detected)'
          : 'EMQX availability_check answered 200', ev.at)
    case 'unavailable':
      return moveTo({ ...prev, lastCheck, emqxAnswered: true, consecutiveFailures: 0, lastSuccessAt: ev.at }, 'draining', 'emqx_unavailable',
        'EMQX availability_check answered 503: the node is a rebalance donor, evacuating or purging', ev.at)
    case 'not_running':
      return moveTo({ ...prev, lastCheck, emqxAnswered: true, consecutiveFailures: 0, lastSuccessAt: ev.at }, 'down', 'emqx_not_running',
        'EMQX node status answered 503: the emqx application is not running', ev.at)
    case 'failure': {
      const failures = prev.consecutiveFailures + 1
      const next: Snapshot = { ...prev, lastCheck, emqxAnswered: false, consecutiveFailures: failures }
      if (failures < failureThreshold && prev.state !== 'down') return next
      const reason: Reason = `emqx_${outcome.reason}`
      return moveTo(next, 'down', reason, `${outcome.detail} (${failures} failed check${failures === 1 ? '' : 's'} in a row)`, ev.at)
    }
  }
}

/** Sets state/reason/message; `since` only moves when the state itself changes. */
export function moveTo (prev: Snapshot, state: NodeState, reason: Reason, message: string, now: number): Snapshot {
  if (prev.state === state && prev.reason === reason && prev.message === message) return prev
  return { ...prev, state, reason, message, since: prev.state === state ? prev.since : now }
}
