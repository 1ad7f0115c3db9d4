import { EmqxDouble } from '../../src/emqx-double/double.js'
import { load, type LoadReport } from '../lib/load.js'
import { Observer } from '../lib/observe.js'
import { startSidecar } from '../lib/proc.js'

export interface UpstreamRow {
  readonly targetRate: number
  readonly probes: LoadReport
  /** requests that reached the EMQX double during the load, per second */
  readonly upstreamPerSecond: number
}

export interface UpstreamResult {
  readonly intervalMs: number
  readonly rows: readonly UpstreamRow[]
}

/**
 * Constant upstream cost: probes at fixed rates against one sidecar at the default poll interval,
 * counting every request that reaches its own EMQX double while each load runs.
 */
export async function upstreamCost (rates: readonly number[], durationMs: number, progress: (msg: string) => void): Promise<UpstreamResult> {
  const intervalMs = 1000
  const sim = new EmqxDouble()
  await sim.listen()
  const sidecar = await startSidecar({ emqxUrl: sim.url })
  const rows: UpstreamRow[] = []
  try {
    const observer = new Observer(sidecar.port)
    await observer.until(200, 10_000)
    await observer.close()
    for (const rate of rates) {
      progress(`upstream cost: ${rate} probes/s`)
      let before = 0
      let startedAt = 0
      // the window is the recorded part of the load: counting starts when the warm-up ends
      const warmupMs = Math.min(1000, durationMs / 4)
      const timer = setTimeout(() => { before = sim.totalRequests; startedAt = performance.now() }, warmupMs)
      const probes = await load({ host: '127.0.0.1', port: sidecar.port, path: '/availability', connections: Math.min(rate, 100), keepAlive: true, rate, durationMs, warmupMs })
      clearTimeout(timer)
      const seconds = (performance.now() - startedAt) / 1000
      rows.push({ targetRate: rate, probes, upstreamPerSecond: (sim.totalRequests - before) / seconds })
    }
  } finally {
    await sidecar.stop()
    await sim.close()
  }
  return { intervalMs, rows }
}
