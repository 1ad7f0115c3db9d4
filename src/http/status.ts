import type { Snapshot } from '../state/model.js'
import { VERSION } from '../version.js'

/** The /status document: everything an operator wants to see about this node. No secrets live in a Snapshot. */
export function statusDocument (s: Snapshot, now: number): Record<string, unknown> {
  const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString())
  return {
    state: s.state,
    available: s.state === 'up',
    reason: s.reason,
    message: s.message,
    since: iso(s.since),
    seconds_in_state: Math.max(0, (now - s.since) / 1000),
    emqx: {
      answered: s.emqxAnswered,
      api_version: s.api?.version ?? null,
      api_url: s.api?.base.href ?? null,
      api_mode: s.api?.mode ?? null,
      drains_detectable: s.api === undefined ? null : s.api.mode === 'rebalance',
      node_name: s.nodeName ?? null,
      consecutive_failures: s.consecutiveFailures,
      last_check: s.lastCheck === undefined
        ? null
        : {
            at: iso(s.lastCheck.at),
            duration_ms: Math.round(s.lastCheck.durationMs * 100) / 100,
            outcome: s.lastCheck.outcome,
            failure_reason: s.lastCheck.failureReason ?? null,
            detail: s.lastCheck.detail ?? null,
          },
      last_success: iso(s.lastSuccessAt),
      config_error: s.lastCheck?.failureReason === 'auth' ? s.lastCheck.detail ?? null : null,
    },
    rebalance: s.rebalance ?? null,
    rebalance_error: s.rebalanceError ?? null,
    sidecar: { version: VERSION, pid: process.pid, uptime_seconds: Math.round(process.uptime()) },
  }
}
