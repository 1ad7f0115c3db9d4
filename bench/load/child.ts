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
}

process.once('message', (spec: LoadSpec) => {
  void runLoad(spec).then((r) => {
    const report: LoadReport = { requests: r.requests, errors: r.errors, statuses: r.statuses, rps: r.requests / (r.elapsedMs / 1000), latency: summarize(r.latenciesMs) }
    process.send?.(report, () => { process.disconnect() })
  })
})
