/**
 * The soak run shared by the CI-sized test (soak.test.ts) and `npm run soak` (minutes): sustained
 * probe load on the sidecar process while EMQX flips between up, drains and faults.
 */
import type { Test } from 'tap'
import { startDouble, type EmqxDouble } from '../support/emqx-double.js'
import { scrape } from '../support/metrics-text.js'
import { formatStats, ProbeLoad, type ProbeStats } from '../support/probe-load.js'
import { fdCount, rssBytes } from '../support/raw-client.js'
import { startSidecar, type SidecarProcess } from '../support/sidecar-proc.js'
import { waitFor } from '../support/wait.js'

export interface SoakReport {
  readonly seconds: number
  readonly probes: ProbeStats
  readonly flips: number
  readonly fdBaseline: number
  readonly fdAfter: number
  readonly handlesBaseline: number
  readonly handlesAfter: number
  readonly rssStartMiB: number
  readonly rssEndMiB: number
  /** least-squares slope of RSS over the second half of the run */
  readonly rssSlopeMiBPerMin: number
}

/** One step of the upstream's script: what EMQX does next. */
const SCRIPT: ReadonlyArray<(sim: EmqxDouble) => Promise<void> | void> = [
  (sim) => sim.becomeDonor(), (sim) => sim.stopProcess(),
  (sim) => sim.startEvacuation(), (sim) => sim.stopProcess(),
  async (sim) => await sim.setFault('5xx'), async (sim) => await sim.setFault('none'),
  async (sim) => await sim.setFault('hang'), async (sim) => await sim.setFault('none'),
  async (sim) => await sim.setFault('refuse'), async (sim) => await sim.setFault('none'),
  async (sim) => await sim.setFault('reset'), async (sim) => await sim.setFault('none'),
  async (sim) => await sim.setFault('drip'), async (sim) => await sim.setFault('none'),
  async (sim) => await sim.setFault('huge'), async (sim) => await sim.setFault('none'),
]

export function slope (points: ReadonlyArray<readonly [number, number]>): number {
  const n = points.length
  if (n < 2) return 0
  const mx = points.reduce((a, [x]) => a + x, 0) / n
  const my = points.reduce((a, [, y]) => a + y, 0) / n
  const num = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0)
  const den = points.reduce((a, [x]) => a + (x - mx) ** 2, 0)
  return den === 0 ? 0 : num / den
}

async function activeHandles (sc: SidecarProcess): Promise<number> {
  let sum = 0
  for (const [k, v] of await scrape(sc.url)) if (k.startsWith('nodejs_active_handles{')) sum += v
  return sum
}

export async function soak (t: Test, seconds: number, loops = 16): Promise<SoakReport> {
  const sim = await startDouble(t, { profile: 'v5' })
  const sc = await startSidecar(t, ['--emqx-url', sim.url, '--poll-interval', '50ms', '--emqx-timeout', '200ms', '--failure-threshold', '2'])
  const pid = sc.child.pid ?? 0
  await sc.waitForLog((l) => l.msg.startsWith('node is up'), 5000, 'up')
  // the baseline: serving nothing but the poller (and the one /metrics scrape that reads it)
  const fdBaseline = fdCount(pid)
  const handlesBaseline = await activeHandles(sc)

  const started = performance.now()
  const rss: Array<[number, number]> = []
  const sampler = setInterval(() => rss.push([(performance.now() - started) / 60_000, rssBytes(pid) / 1024 / 1024]), 250)
  let flips = 0
  const finished = new AbortController()
  t.teardown(() => { finished.abort(); clearInterval(sampler) })
  // EMQX's script, one step every 400 ms, each step finished before the next (a restart takes a moment)
  const driver = (async () => {
    for (let step = 0; !finished.signal.aborted; step++) {
      await SCRIPT[step % SCRIPT.length]?.(sim)
      flips++
      await new Promise((resolve) => setTimeout(resolve, 400))
    }
  })()
  const load = new ProbeLoad(sc.url, { loops, pauseMs: 1, warmup: 0 })
  // the run's length is the point of a soak: nothing to await but the clock
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000))
  const probes = await load.stop()
  finished.abort()
  await driver
  clearInterval(sampler)

  await sim.setFault('none')
  sim.stopProcess()
  await waitFor(async () => (await (await fetch(`${sc.url}/readyz`)).status), (s) => s === 200, { timeoutMs: 5000, what: 'up after the soak' })
  // the sidecar's keep-alive pool to EMQX may hold up to 4 connections after the faults
  const fdAfter = await waitFor(() => fdCount(pid), (n) => n <= fdBaseline + 4, { timeoutMs: 15_000, intervalMs: 100, what: `descriptors back to baseline ${fdBaseline} (+4 EMQX pool)` })
  const handlesAfter = await waitFor(async () => await activeHandles(sc), (n) => n <= handlesBaseline + 4, { timeoutMs: 15_000, intervalMs: 100, what: `active handles back to baseline ${handlesBaseline}` })
  const half = rss.filter(([m]) => m >= seconds / 120)
  const report: SoakReport = {
    seconds,
    probes,
    flips,
    fdBaseline,
    fdAfter,
    handlesBaseline,
    handlesAfter,
    rssStartMiB: rss[0]?.[1] ?? 0,
    rssEndMiB: rss.at(-1)?.[1] ?? 0,
    rssSlopeMiBPerMin: slope(half),
  }
  t.comment(`soak ${seconds}s: ${formatStats(probes)}, answers ${JSON.stringify(probes.statuses)}, ${flips} upstream flips`)
  t.comment(`fds ${fdBaseline} -> ${fdAfter}, active handles ${handlesBaseline} -> ${handlesAfter}, RSS ${report.rssStartMiB.toFixed(1)} -> ${report.rssEndMiB.toFixed(1)} MiB, slope over the second half ${report.rssSlopeMiBPerMin.toFixed(2)} MiB/min`)
  return report
}
