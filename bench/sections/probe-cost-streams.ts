import { request as httpRequest, type ClientRequest } from 'node:http'
import { Client } from 'undici'
import type { EmqxDouble } from '../../src/emqx-double/double.js'
import { findH2load, runH2load, type H2loadReport } from '../lib/h2load.js'
import { Observer } from '../lib/observe.js'
import { PINNING, pinProcess, SERVER_CPU } from '../lib/pin.js'
import { startSidecar, type Target } from '../lib/proc.js'
import { CLOCK_TICKS, cpuTicks } from '../lib/proc-stat.js'
import { summarize, type Summary } from '../lib/stats.js'
import { H2LOAD_MISSING, probeLoad, type ProbeCostOptions } from './probe-cost.js'

/** GET /events streams held open in the loaded windows: --events-max-clients' default, every page it allows. */
export const STREAMS = 32

/** One h2load main duration against the sidecar, with `streams` live pages following /events. */
export interface StreamsWindow {
  readonly streams: number
  /** utime + stime of the sidecar over the window */
  readonly ticks: number
  readonly windowMs: number
  readonly report: H2loadReport
  /** the latency sampler's probes answered in the window (counted in the CPU per probe too) */
  readonly sampled: number
  readonly latencyMs: Summary
  /** events the streams received in the window, all streams together */
  readonly events: number
}

export interface StreamsRun { readonly none: StreamsWindow, readonly open: StreamsWindow }

export interface StreamsCostResult {
  readonly rate: number
  readonly connections: number
  readonly streams: number
  readonly warmupMs: number
  readonly durationMs: number
  readonly clockTicks: number
  readonly pinned: boolean
  readonly runs: readonly StreamsRun[]
  readonly skipped?: string
}

/** CPU time per probe answered in a window (h2load's and the sampler's), in microseconds. */
export function streamsUsPerProbe (w: StreamsWindow, clockTicks: number): number {
  return w.ticks / clockTicks / (w.report.done + w.sampled) * 1e6
}

/**
 * What live pages cost the probes: the sidecar alone on CPU 0, loaded by h2load on CPU 1 at probe-cost's first
 * rate, once with no /events stream open and once with STREAMS streams open (each reading every event: the
 * status document at most once a second per poll); the order alternates run by run. A sampler on one more
 * keep-alive connection times a probe every 5 ms for the p99 (h2load reports no percentiles).
 */
export async function probeCostWithStreams (sim: EmqxDouble, o: ProbeCostOptions, progress: (msg: string) => void): Promise<StreamsCostResult> {
  const rate = o.rates[0] ?? 1000
  const base = {
    rate, connections: o.connections, streams: STREAMS, warmupMs: o.warmupMs, durationMs: o.durationMs, clockTicks: CLOCK_TICKS, pinned: PINNING,
  }
  const bin = findH2load()
  if (bin === undefined) {
    progress(`probe cost with event streams: ${H2LOAD_MISSING}`)
    return { ...base, runs: [], skipped: H2LOAD_MISSING }
  }
  sim.stopProcess()
  let sidecar: Target | undefined
  try {
    sidecar = await startSidecar({ emqxUrl: sim.url })
    const observer = new Observer(sidecar.port)
    await observer.until(200, 10_000)
    await observer.close()
    pinProcess(sidecar.pid, SERVER_CPU)
    const runs: StreamsRun[] = []
    for (let r = 0; r < o.runs; r++) {
      const order = r % 2 === 0 ? [0, STREAMS] : [STREAMS, 0]
      const got = new Map<number, StreamsWindow>()
      for (const n of order) {
        progress(`probe cost with event streams: ${rate} probes/s over ${o.connections} keep-alive connections, ${n} /events ` +
          `streams open (h2load, run ${r + 1}/${o.runs})`)
        got.set(n, await streamsWindow(bin, sidecar, rate, n, o))
      }
      runs.push({ none: got.get(0) as StreamsWindow, open: got.get(STREAMS) as StreamsWindow })
    }
    return { ...base, runs }
  } finally {
    await sidecar?.stop()
  }
}

async function streamsWindow (bin: string, t: Target, rate: number, streams: number, o: ProbeCostOptions): Promise<StreamsWindow> {
  const pages = await Promise.all(Array.from({ length: streams }, async () => await openStream(t.port)))
  const sampler = new Sampler(t.port)
  let t0 = NaN
  let t1 = NaN
  let w0 = NaN
  let w1 = NaN
  let e0 = 0
  const events = (): number => pages.reduce((a, p) => a + p.events, 0)
  try {
    const report = await runH2load({
      ...probeLoad(bin, t, rate, o, o.durationMs),
      onMainStart: () => { t0 = cpuTicks(t.pid); w0 = performance.now(); e0 = events(); sampler.measure(true) },
      onMainEnd: () => { t1 = cpuTicks(t.pid); w1 = performance.now(); sampler.measure(false) },
    })
    const latencies = sampler.latencies
    if (pages.some((p) => p.failed)) throw new Error('an /events stream failed or was refused during the window')
    return { streams, ticks: t1 - t0, windowMs: w1 - w0, report, sampled: latencies.length, latencyMs: summarize(latencies), events: events() - e0 }
  } finally {
    await sampler.stop()
    for (const p of pages) p.req.destroy()
  }
}

interface Page { readonly req: ClientRequest, events: number, failed: boolean }

/** A live page's stream, as a browser holds it: one connection, every event read as it comes. */
async function openStream (port: number): Promise<Page> {
  return await new Promise<Page>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/events', headers: { accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) { reject(new Error(`GET /events answered ${String(res.statusCode)}`)); res.resume(); return }
      res.setEncoding('utf8')
      res.on('data', (c: string) => { page.events += c.split('\nevent: ').length - 1 })
      res.on('error', () => { page.failed = true })
      res.on('close', () => { if (!req.destroyed) page.failed = true })
      resolve(page)
    })
    const page: Page = { req, events: 0, failed: false }
    req.on('error', (err) => { page.failed = true; reject(err) })
    req.end()
  })
}

/** One more keep-alive connection probing every 5 ms, keeping the latencies of the probes sent while measuring. */
class Sampler {
  readonly #client: Client
  readonly #done: Promise<void>
  readonly #stop = new AbortController()
  #measuring = false
  readonly latencies: number[] = []

  constructor (port: number) {
    this.#client = new Client(`http://127.0.0.1:${port}`, { pipelining: 1 })
    this.#done = this.#loop()
  }

  measure (on: boolean): void { this.#measuring = on }

  async #loop (): Promise<void> {
    while (!this.#stop.signal.aborted) {
      const keep = this.#measuring
      const started = performance.now()
      try {
        const res = await this.#client.request({ method: 'GET', path: '/availability' })
        await res.body.dump()
        if (keep && this.#measuring) this.latencies.push(performance.now() - started)
      } catch { /* counted by its absence; h2load's figures carry the errors */ }
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  }

  async stop (): Promise<void> {
    this.#stop.abort()
    await this.#done
    await this.#client.close()
  }
}
