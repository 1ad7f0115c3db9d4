import { monitorEventLoopDelay } from 'node:perf_hooks'
import { summarize, type Summary } from '../lib/stats.js'
import { runLoad, type LoadSpec } from './generator.js'

/**
 * The load generator's own process (forked by lib/load.ts), so that generating load and orchestrating
 * the bench (EMQX double, timers) never share an event loop. One message in (a LoadSpec), one out.
 */
export interface LoadReport {
  readonly requests: number
  readonly errors: number
  readonly statuses: Record<string, number>
  readonly rps: number
  readonly latency: Summary
  /**
   * The generator's own event-loop delay over the load (warm-up included), p99 in ms: a late timer or a
   * late read is in every latency it records, whatever the server did. Absent from wrk's reports.
   */
  readonly generatorLagP99Ms?: number
}

process.once('message', (spec: LoadSpec) => {
  const lag = monitorEventLoopDelay({ resolution: 1 })
  lag.enable()
  runLoad(spec).then((r) => {
    lag.disable()
    const report: LoadReport = { requests: r.requests, errors: r.errors, statuses: r.statuses, rps: r.requests / (r.elapsedMs / 1000), latency: summarize(r.latenciesMs), generatorLagP99Ms: lag.percentile(99) / 1e6 }
    process.send?.(report, () => { process.disconnect() })
  })
})
