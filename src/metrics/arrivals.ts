import { type Registry } from 'prom-client'
import { counter, gauge } from './make.js'
import type { ArrivalWatch } from '../ack/arrivals.js'
import { PREFIX } from './names.js'

/** The drain evidence of EMQX's CONNECT counter (src/ack/arrivals.ts), read at scrape time. */
export function registerArrivalMetrics (registry: Registry, watch: ArrivalWatch): void {
  counter(registry, {
    name: `${PREFIX}connects_while_draining_total`,
    help: 'MQTT CONNECTs that reached this node while it drained (EMQX\'s client.connect counter), by phase: ' +
      'before_eviction (the load balancers had not all stopped routing yet), evicting (clients routed into a node that evicts them).',
    labelNames: ['phase'],
    collect () {
      this.reset()
      for (const phase of ['before_eviction', 'evicting'] as const) this.inc({ phase }, watch.whileDraining[phase])
    },
  })
  gauge(registry, {
    name: `${PREFIX}connect_last_arrival_while_draining_timestamp_seconds`,
    help: 'Unix time of the reading that last saw a CONNECT arrive during the current drain; 0 when none.',
    collect () { this.set((watch.evidence(Date.now()).lastArrivalAt ?? 0) / 1000) },
  })
  gauge(registry, {
    name: `${PREFIX}connect_evidence_readable`,
    help: '1 when EMQX\'s CONNECT counter was read at the last attempt, else 0 (no arrival evidence).',
    collect () { const e = watch.evidence(Date.now()); this.set(e.lastReadAt !== undefined && e.error === undefined ? 1 : 0) },
  })
}
