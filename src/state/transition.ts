import type { CheckOutcome } from '../emqx/outcome.js'
import type { LastCheck, Reason, Snapshot, Verdict } from './model.js'
import { moveTo } from './move.js'
import { effectiveVerdict } from './overrides.js'

export interface CheckEvent {
  readonly outcome: CheckOutcome
  readonly at: number
  readonly durationMs: number
}

export function initialSnapshot (now: number): Snapshot {
  const observed: Verdict = { state: 'starting', reason: 'awaiting_first_check', message: 'waiting for the first answer from EMQX' }
  return { ...observed, since: now, emqxAnswered: false, consecutiveFailures: 0, observed, overrides: {} }
}

/**
 * The pure heart of the sidecar: previous snapshot + one check -> next snapshot.
 * EMQX's own 503 drains on the first answer with no hysteresis: every second spent here is taken
 * out of EMQX's wait_health_check. Failures keep the last state until `failureThreshold` in a row.
 * The check decides `observed` (EMQX's verdict); the served state is that verdict combined with the
 * overrides (manual drain, drain file, evacuation) by `effectiveVerdict`.
 */
export function applyCheck (prev: Snapshot, ev: CheckEvent, failureThreshold: number): Snapshot {
  if (prev.state === 'stopping') return prev
  const { outcome } = ev
  const lastCheck: LastCheck = outcome.kind === 'failure'
    ? { at: ev.at, durationMs: ev.durationMs, outcome: outcome.kind, failureReason: outcome.reason, detail: outcome.detail }
    : { at: ev.at, durationMs: ev.durationMs, outcome: outcome.kind }
  const answered = { lastCheck, emqxAnswered: true, consecutiveFailures: 0, lastSuccessAt: ev.at }

  switch (outcome.kind) {
    case 'available':
      return serve({ ...prev, ...answered }, {
        state: 'up',
        reason: 'emqx_available',
        message: prev.api?.mode === 'node_status'
          ? 'EMQX is running (open-source fallback: drains cannot be detected)'
          : 'EMQX availability_check answered 200',
      }, ev.at)
    case 'unavailable':
      return serve({ ...prev, ...answered }, {
        state: 'draining',
        reason: 'emqx_unavailable',
        message: 'EMQX availability_check answered 503: the node is a rebalance donor, evacuating or purging',
      }, ev.at)
    case 'not_running':
      return serve({ ...prev, ...answered }, {
        state: 'down', reason: 'emqx_not_running', message: 'EMQX node status answered 503: the emqx application is not running',
      }, ev.at)
    case 'failure': {
      const purge = purgeCrash(prev, outcome)
      if (purge !== undefined) return serve({ ...prev, lastCheck, emqxAnswered: true, consecutiveFailures: 0 }, purge, ev.at)
      const failures = prev.consecutiveFailures + 1
      const next: Snapshot = { ...prev, lastCheck, emqxAnswered: false, consecutiveFailures: failures }
      if (failures < failureThreshold && prev.observed.state !== 'down') return next
      const reason: Reason = `emqx_${outcome.reason}`
      const message = `${outcome.detail} (${failures} failed check${failures === 1 ? '' : 's'} in a row)`
      return serve(next, { state: 'down', reason, message }, ev.at)
    }
  }
}

/**
 * e5.2-5.3 during a purge: every node but the purge's coordinator answers availability_check with 500, because
 * `local_status/0` asks the rebalance agent's coordinator (the purge) for a rebalance status and
 * `local_rebalance/2` has no clause for one without `donors` (apps/emqx_node_rebalance/src/emqx_node_rebalance_status.erl
 * at e5.3.0). The purge evicts every node's sessions, so a 500 while the cluster view (global_status, read by
 * ./cluster-watcher.ts) lists a purge is read as draining, at once: fail closed. Any other failure counts as before.
 */
function purgeCrash (prev: Snapshot, outcome: CheckOutcome & { kind: 'failure' }): Verdict | undefined {
  const purges = prev.cluster?.purges ?? []
  if (outcome.httpStatus !== 500 || purges.length === 0) return undefined
  const coordinators = purges.map((p) => p.node).join(', ')
  const message = `EMQX availability_check answered 500 while a cluster purge runs (coordinator ${coordinators}): ` +
    'e5.2-5.3 fail there on every node but the coordinator; draining'
  return { state: 'draining', reason: 'emqx_purging', message }
}

/** Records EMQX's verdict and moves the served state to it combined with the overrides. */
function serve (s: Snapshot, observed: Verdict, now: number): Snapshot {
  const same = s.observed.state === observed.state && s.observed.reason === observed.reason && s.observed.message === observed.message
  const v = effectiveVerdict(observed, s.overrides)
  return moveTo(same ? s : { ...s, observed }, v.state, v.reason, v.message, now)
}
