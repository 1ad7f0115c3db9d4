import { NODE_FLAGS } from '../../src/node-flags.js'
import type { EmqxDouble } from '../../src/emqx-double/double.js'
import { findH2load, H2loadUntimed, runH2load, type H2loadReport, type H2loadSpec } from '../lib/h2load.js'
import { BARE, FLOOR_HANDLER, SIDECAR } from '../lib/names.js'
import { Observer } from '../lib/observe.js'
import { LOAD_CPU, PINNING, pinProcess, SERVER_CPU } from '../lib/pin.js'
import { startSidecar, type Target } from '../lib/proc.js'
import { CLOCK_TICKS, cpuTicks } from '../lib/proc-stat.js'
import { startBare, startFloorHandler } from '../servers/targets.js'

export interface ProbeCostOptions {
  /** total probes a second, spread over `connections` keep-alive connections */
  readonly rates: readonly number[]
  readonly connections: number
  readonly warmupMs: number
  readonly durationMs: number
  readonly runs: number
  /**
   * probes to every server at the first rate before the first measured run, unmeasured: the first tens
   * of seconds after a start (TurboFan compiling the probe path, start-up GCs) are paid once, not per probe
   */
  readonly settleMs: number
}

/** One server during one h2load main duration. */
export interface ServerWindow {
  /** utime + stime (/proc/<pid>/stat) from the start to the end of h2load's main duration */
  readonly ticks: number
  /** how long that window was on this clock, ms */
  readonly windowMs: number
  readonly report: H2loadReport
}

/**
 * One run: the sidecar and the libraries' floor answering with the bare handler (servers/floor.ts with
 * in-process.ts) in the same seconds, the pair the target is judged on; then, in the next seconds, the
 * sidecar and the bare node:http server in a process of its own: what the sidecar costs against no
 * libraries at all. Information, not a target.
 */
export interface ProbeCostRun {
  readonly sidecar: ServerWindow
  readonly floor: ServerWindow
  /**
   * The same pair in the next seconds with the floor's h2load started first. Of two identical servers
   * loaded at once, the one whose load starts first pays a few percent more per probe (bench/README.md);
   * a run in each order cancels that.
   */
  readonly swapped?: { readonly sidecar: ServerWindow, readonly floor: ServerWindow }
  readonly againstBare?: { readonly sidecar: ServerWindow, readonly bare: ServerWindow }
}

export interface ProbeCostRow {
  readonly rate: number
  readonly runs: readonly ProbeCostRun[]
}

export interface ProbeCostResult {
  readonly connections: number
  readonly warmupMs: number
  readonly durationMs: number
  readonly settleMs: number
  readonly clockTicks: number
  readonly pinned: boolean
  readonly flags: readonly string[]
  readonly rows: readonly ProbeCostRow[]
  /** why nothing was measured (h2load missing) */
  readonly skipped?: string
}

export const H2LOAD_MISSING = 'h2load is not installed (Debian package nghttp2-client: apt-get install nghttp2-client)'

/** CPU time per probe answered in a window, in microseconds. */
export function usPerProbe (w: ServerWindow, clockTicks: number): number {
  return w.ticks / clockTicks / w.report.done * 1e6
}

/**
 * Requests done without a 2xx answer, plus those h2load counts as errored (network-level failures, a subset of
 * its `failed`, which also counts 4xx and 5xx) or timed out.
 */
export function problems (r: H2loadReport): number {
  return Math.max(0, r.done - r.status2xx) + r.errored + r.timeout
}

/**
 * CPU time per probe at the rates checker fleets send: the sidecar (dist/cli.js under the node flags of
 * `npm start`) and the libraries' floor answering with the bare node:http handler (same status, headers
 * and body, same node flags) loaded at the same time, then the sidecar and the bare server alone; each
 * pair pinned to CPU 0, each server loaded by its own h2load on CPU 1 sending a fixed rate over keep-alive
 * connections. The CPU time each server's process used (/proc/<pid>/stat utime + stime, every thread) over
 * h2load's main duration, divided by the probes it answered in it; `runs` runs per rate.
 */
export async function probeCost (sim: EmqxDouble, o: ProbeCostOptions, progress: (msg: string) => void): Promise<ProbeCostResult> {
  const base = {
    connections: o.connections,
    warmupMs: o.warmupMs,
    durationMs: o.durationMs,
    settleMs: o.settleMs,
    clockTicks: CLOCK_TICKS,
    pinned: PINNING,
    flags: NODE_FLAGS,
  }
  const bin = findH2load()
  if (bin === undefined) {
    progress(`probe cost: ${H2LOAD_MISSING}`)
    return { ...base, rows: [], skipped: H2LOAD_MISSING }
  }
  sim.stopProcess()
  const servers: Target[] = []
  try {
    const sidecar = await startSidecar({ emqxUrl: sim.url })
    servers.push(sidecar)
    const observer = new Observer(sidecar.port)
    await observer.until(200, 10_000)
    await observer.close()
    const body = await (await fetch(`http://127.0.0.1:${sidecar.port}/availability`)).text()
    const floor = await startFloorHandler(body)
    servers.push(floor)
    const bare = await startBare(body, 0, process.execPath, NODE_FLAGS)
    servers.push(bare)
    for (const t of servers) pinProcess(t.pid, SERVER_CPU)
    const first = o.rates[0]
    if (o.settleMs > 0 && first !== undefined) {
      progress(`probe cost: ${o.settleMs / 1000} s of probes at ${first}/s to all three at once, unmeasured (steady state first)`)
      // every h2load ends before a failure is thrown, so none outlives the servers stopped below
      const settled = await Promise.allSettled(servers.map(async (t) => await settle(bin, t, first, o)))
      for (const r of settled) if (r.status === 'rejected') throw r.reason
    }
    const rows: ProbeCostRow[] = []
    for (const rate of o.rates) {
      const runs: ProbeCostRun[] = []
      for (let r = 0; r < o.runs; r++) {
        progress(`probe cost: ${SIDECAR} and ${FLOOR_HANDLER} at once on one core, ${rate} probes/s each over ` +
          `${o.connections} keep-alive connections (h2load, run ${r + 1}/${o.runs})`)
        const [s, f] = await pairInOrder(bin, [sidecar, floor], true, rate, o, progress)
        progress(`probe cost: the same, ${FLOOR_HANDLER}'s load started first (run ${r + 1}/${o.runs})`)
        const [s2, f2] = await pairInOrder(bin, [sidecar, floor], false, rate, o, progress)
        progress(`probe cost: ${SIDECAR} and ${BARE} at once, ${rate} probes/s each (run ${r + 1}/${o.runs})`)
        // information only: one order per run, alternating
        const [s3, b] = await pairInOrder(bin, [sidecar, bare], r % 2 === 0, rate, o, progress)
        runs.push({ sidecar: s, floor: f, swapped: { sidecar: s2, floor: f2 }, againstBare: { sidecar: s3, bare: b } })
      }
      rows.push({ rate, runs })
    }
    return { ...base, rows }
  } finally {
    for (const t of servers) await t.stop()
  }
}

/**
 * Two servers loaded in the same seconds. When h2load ends without marking its main duration (seen once
 * in smoke runs on a loaded machine: the run has no CPU window to read), the pair is run once more, and
 * a second such run fails the section with h2load's output.
 */
async function pair (
  bin: string, targets: readonly [Target, Target], rate: number, o: ProbeCostOptions, progress: (msg: string) => void
): Promise<[ServerWindow, ServerWindow]> {
  // both h2loads end before either's failure is looked at: a second try never overlaps the first
  const once = async (): Promise<[ServerWindow, ServerWindow]> => {
    const [a, b] = await Promise.allSettled([window(bin, targets[0], rate, o), window(bin, targets[1], rate, o)])
    if (a.status === 'rejected') throw a.reason
    if (b.status === 'rejected') throw b.reason
    return [a.value, b.value]
  }
  try {
    return await once()
  } catch (err) {
    if (!(err instanceof H2loadUntimed)) throw err
    progress(`probe cost: run again, ${err.message.split('\n')[0] ?? ''}`)
    return await once()
  }
}

/** pair() with the first target's load started first or second; the windows come back in the targets' order. */
async function pairInOrder (
  bin: string, [a, b]: readonly [Target, Target], aFirst: boolean, rate: number, o: ProbeCostOptions, progress: (msg: string) => void
): Promise<[ServerWindow, ServerWindow]> {
  if (aFirst) return await pair(bin, [a, b], rate, o, progress)
  const [wb, wa] = await pair(bin, [b, a], rate, o, progress)
  return [wa, wb]
}

/** h2load sending `GET /availability` to `t` at `rate` over the options' connections, pinned to the load CPU. */
export function probeLoad (bin: string, t: Target, rate: number, o: ProbeCostOptions, durationMs: number): H2loadSpec {
  return {
    bin,
    port: t.port,
    path: '/availability',
    clients: o.connections,
    rpsPerClient: rate / o.connections,
    warmupMs: o.warmupMs,
    durationMs,
    cpu: LOAD_CPU,
  }
}

async function window (bin: string, t: Target, rate: number, o: ProbeCostOptions): Promise<ServerWindow> {
  let t0 = NaN
  let t1 = NaN
  let w0 = NaN
  let w1 = NaN
  const report = await runH2load({
    ...probeLoad(bin, t, rate, o, o.durationMs),
    onMainStart: () => { t0 = cpuTicks(t.pid); w0 = performance.now() },
    onMainEnd: () => { t1 = cpuTicks(t.pid); w1 = performance.now() },
  })
  return { ticks: t1 - t0, windowMs: w1 - w0, report }
}

/** Probes at `rate` for `settleMs`, nothing measured; a server that does not answer them fails the section. */
async function settle (bin: string, t: Target, rate: number, o: ProbeCostOptions): Promise<void> {
  const report = await runH2load(probeLoad(bin, t, rate, o, o.settleMs))
  if (problems(report) > 0) throw new Error(`${t.name} failed ${problems(report)} of ${report.done} probes while settling`)
}
