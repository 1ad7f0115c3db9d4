import type { EmqxDouble } from '../../src/emqx-double/double.js'
import { Observer } from '../lib/observe.js'
import { startSidecar } from '../lib/proc.js'
import { seededRandom } from '../lib/random.js'
import { summarize, type Summary } from '../lib/stats.js'

export interface DrainResult {
  readonly intervalMs: number
  readonly flips: number
  /** EMQX starts answering 503 -> the sidecar answers 503 */
  readonly drain: Summary
  /** EMQX answers 200 again -> the sidecar answers 200 */
  readonly recover: Summary
}

/**
 * Drain detection: flips the EMQX double between normal and rebalance donor `flips` times, each
 * after a random pause of up to one poll interval (so flips land at every phase of the sidecar's
 * poll timer), and times how long until the sidecar's own answer changes.
 */
export async function drainDetection (sim: EmqxDouble, intervalMs: number, flips: number, progress: (msg: string) => void): Promise<DrainResult> {
  sim.stopProcess()
  const sidecar = await startSidecar({ emqxUrl: sim.url, pollIntervalMs: intervalMs })
  const observer = new Observer(sidecar.port)
  const random = seededRandom(intervalMs)
  const drain: number[] = []
  const recover: number[] = []
  try {
    await observer.until(200, 10_000)
    for (let i = 0; i < flips; i++) {
      if (i % 20 === 0) progress(`drain detection at ${intervalMs} ms: flip ${i + 1}/${flips}`)
      await new Promise((resolve) => setTimeout(resolve, random() * intervalMs))
      const toDonor = i % 2 === 0
      if (toDonor) sim.becomeDonor(); else sim.stopProcess()
      const flippedAt = performance.now()
      const seenAt = await observer.until(toDonor ? 503 : 200, intervalMs * 5 + 2000)
      ;(toDonor ? drain : recover).push(seenAt - flippedAt)
    }
  } finally {
    sim.stopProcess()
    await observer.close()
    await sidecar.stop()
  }
  return { intervalMs, flips, drain: summarize(drain), recover: summarize(recover) }
}
