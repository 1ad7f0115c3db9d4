import { Registry, collectDefaultMetrics } from 'prom-client'

/** A registry holding prom-client's process metrics, as the sidecar and nginx-sync both export them. */
export function processRegistry (): Registry {
  const registry = new Registry()
  // prom-client samples event-loop delay with a 10 ms timer by default: 100 wake-ups a second, most of an
  // idle sidecar's CPU (bench/README.md, Footprint). At 100 ms, stalls long enough to delay a probe
  // answer (tens of ms) still show in the nodejs_eventloop_lag_* gauges.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 100 })
  // prom-client names these gauges *_total, which `promtool check metrics` rejects; the per-type
  // nodejs_active_handles / nodejs_active_requests / nodejs_active_resources gauges carry the same data.
  const duplicates = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']
  for (const name of duplicates) registry.removeSingleMetric(name)
  return registry
}
