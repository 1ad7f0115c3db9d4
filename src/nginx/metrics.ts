import { type Registry } from 'prom-client'
import { counter, gauge } from '../metrics/make.js'
import { processRegistry } from '../metrics/process.js'
import { VERSION } from '../version.js'
import { PROBE_KINDS } from './probe.js'
import type { NginxSync } from './sync.js'

export const SYNC_PREFIX = 'emqx_lb_sidecar_nginx_sync_'

const APPLY_RESULTS = ['ok', 'write_failed', 'check_failed', 'reload_failed'] as const

/**
 * nginx-sync's own metrics. Gauges read the sync loop at scrape time; counters follow its events.
 * Every labelled series starts at 0 so increase() sees the first event.
 */
export function createSyncMetrics (sync: NginxSync): Registry {
  const registry = processRegistry()
  const P = SYNC_PREFIX
  /** Adds a gauge to the registry; gauges with `collect` read the sync loop at scrape time, so nothing else needs them. */

  gauge(registry, { name: `${P}build_info`, help: 'Build information; always 1.', labelNames: ['version', 'nodejs_version'] })
    .set({ version: VERSION, nodejs_version: process.version }, 1)
  gauge(registry, {
    name: `${P}node_available`,
    help: 'Last answer of the node\'s sidecar: 1 for 200, 0 for anything else or no answer (absent before the first poll).',
    labelNames: ['node'],
    collect () {
      this.reset()
      for (const n of sync.nodes()) if (n.last !== undefined) this.set({ node: n.address }, n.last.kind === 'available' ? 1 : 0)
    },
  })
  gauge(registry, {
    name: `${P}node_in_upstream`,
    help: 'Whether the node is in the upstream nginx last loaded (1) or written down (0).',
    labelNames: ['node'],
    collect () { this.reset(); for (const n of sync.nodes()) this.set({ node: n.address }, n.inUpstream ? 1 : 0) },
  })
  gauge(registry, {
    name: `${P}failsafe`,
    help: '1 while every node is unavailable and all are kept in the upstream (fail-safe), else 0.',
    collect () { this.set(sync.failsafe ? 1 : 0) },
  })
  gauge(registry, {
    name: `${P}pending_change`,
    help: '1 while the wanted upstream differs from what nginx runs with (settling, between reloads, or failing).',
    collect () { this.set(sync.pending ? 1 : 0) },
  })
  gauge(registry, {
    name: `${P}last_reload_timestamp_seconds`,
    help: 'Unix time of the last successful reload by this process (0 if none).',
    collect () { this.set((sync.lastReloadAt ?? 0) / 1000) },
  })

  const failsafes = counter(registry, {
    name: `${P}failsafe_entered_total`,
    help: 'Times every node was unavailable at once and the fail-safe kept them all in.',
  })
  failsafes.inc(0)
  const probes = counter(registry, {
    name: `${P}probes_total`,
    help: 'Sidecar polls by node and result (available, unavailable, error).',
    labelNames: ['node', 'result'],
  })
  for (const n of sync.nodes()) for (const k of PROBE_KINDS) probes.inc({ node: n.address, result: k }, 0)
  const applies = counter(registry, {
    name: `${P}updates_total`,
    help: 'Attempts to change nginx by result: ok (written, checked, reloaded), write_failed, check_failed (old file restored), ' +
      'reload_failed.',
    labelNames: ['result'],
  })
  for (const k of APPLY_RESULTS) applies.inc({ result: k }, 0)

  if (sync.njsMode) {
    gauge(registry, {
      name: `${P}state_written_timestamp_seconds`,
      help: 'njs mode: Unix time of the last successful write of the state file (0 before the first); ' +
        'njs stops trusting it after a few poll intervals.',
      collect () { this.set((sync.stateWrittenAt ?? 0) / 1000) },
    })
    const stateFailures = counter(registry, {
      name: `${P}state_write_failures_total`,
      help: 'njs mode: failed writes of the state file.',
    })
    stateFailures.inc(0)
    sync.on('state', (ok) => { if (!ok) stateFailures.inc() })
  }
  sync.on('probe', (node, result) => { probes.inc({ node, result: result.kind }) })
  sync.on('failsafe', (active) => { if (active) failsafes.inc() })
  sync.on('apply', (result) => { applies.inc({ result: result.ok ? 'ok' : `${result.stage}_failed` }) })
  return registry
}
