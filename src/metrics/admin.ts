import { type Registry } from 'prom-client'
import { counter, gauge } from './make.js'
import { EVACUATION_PHASES } from '../state/evacuation-types.js'
import type { Store } from '../state/store.js'

export type AdminAction = 'drain' | 'undrain' | 'evacuate' | 'evacuate_stop' | 'prestop' | 'unknown'
const ACTIONS: readonly AdminAction[] = ['drain', 'undrain', 'evacuate', 'evacuate_stop', 'prestop']

export interface AdminRecorder {
  admin: (action: AdminAction, result: string) => void
}

/** Metrics of the drain switches, the evacuation and the admin endpoints; gauges read at scrape time. */
export function registerOverrideMetrics (registry: Registry, store: Store, prefix: string): AdminRecorder {
  gauge(registry, {
    name: `${prefix}manual_drain`,
    help: 'Drain switches: 1 while on, by source (api: POST /admin/drain, file: --drain-file).',
    labelNames: ['source'],
    collect () {
      const o = store.current.overrides
      this.set({ source: 'api' }, o.manualDrain !== undefined ? 1 : 0)
      this.set({ source: 'file' }, o.drainFile !== undefined ? 1 : 0)
    },
  })
  gauge(registry, {
    name: `${prefix}evacuation_phase`,
    help: 'Evacuation started through the sidecar: 1 for its current phase (none, starting, running, done, deadline, failed).',
    labelNames: ['phase'],
    collect () {
      const phase = store.current.overrides.evacuation?.phase ?? 'none'
      for (const p of ['none', ...EVACUATION_PHASES]) this.set({ phase: p }, p === phase ? 1 : 0)
    },
  })
  gauge(registry, {
    name: `${prefix}evacuation_started_timestamp_seconds`,
    help: 'Unix time the current evacuation was requested (0 if none).',
    collect () { this.set((store.current.overrides.evacuation?.startedAt ?? 0) / 1000) },
  })
  gauge(registry, {
    name: `${prefix}evacuation_deadline_timestamp_seconds`,
    help: 'Unix time the current evacuation stops being waited for (0 if none).',
    collect () { this.set((store.current.overrides.evacuation?.deadlineAt ?? 0) / 1000) },
  })
  const requests = counter(registry, {
    name: `${prefix}admin_requests_total`,
    help: 'Admin requests by action and result (ok, unauthorized, failed; evacuations by phase reached).',
    labelNames: ['action', 'result'],
  })
  for (const action of ACTIONS) for (const result of ['ok', 'unauthorized']) requests.inc({ action, result }, 0)
  return { admin (action, result) { requests.inc({ action, result }) } }
}
