import { load, type LoadReport } from '../lib/load.js'
import { LOAD_CPU, PINNING, pinProcess, SERVER_CPU } from '../lib/pin.js'
import { cpuSeconds, rssBytes, type Target } from '../lib/proc.js'
import { runWrk } from '../lib/wrk.js'

/** One load shape: closed loop (as fast as answers come) or a fixed total rate. */
export interface Shape {
  readonly connections: number
  readonly keepAlive: boolean
  readonly rate?: number
}

export type Generator = 'wrk' | 'js'

/**
 * One run's report, with the CPU time the server's process (every thread) used during a wrk run per
 * request answered: a busy neighbour on the server's core cuts req/s but moves this far less (bench/README.md).
 */
export type ServedRun = LoadReport & { readonly cpuUsPerRequest: number }

export interface ServingRow {
  readonly shape: Shape
  readonly generator: Generator
  /** per target name, one report per run (runs alternate between targets) */
  readonly runs: ReadonlyMap<string, readonly ServedRun[]>
}

export interface ServingResult {
  readonly targets: readonly string[]
  readonly rows: readonly ServingRow[]
  readonly pinned: boolean
  /** wrk was not installed: closed-loop keep-alive rows fell back to the JavaScript generator */
  readonly wrkMissing: boolean
  /** RSS in bytes per target before the first and after the last load */
  readonly rssBefore: ReadonlyMap<string, number>
  readonly rssAfter: ReadonlyMap<string, number>
}

export interface ServingOptions {
  readonly targets: readonly Target[]
  readonly shapes: readonly Shape[]
  readonly durationMs: number
  readonly warmupMs: number
  /** runs of every shape per target */
  readonly runs: number
  /** wrk's path, when installed */
  readonly wrk: string | undefined
  readonly progress: (msg: string) => void
}

/** wrk for closed-loop keep-alive loads; the JavaScript generator for fixed rates and new connections (bench/README.md). */
export function generatorFor (s: Shape, wrk: string | undefined): Generator {
  return wrk !== undefined && s.rate === undefined && s.keepAlive ? 'wrk' : 'js'
}

/**
 * Probe serving: servers pinned to one CPU, the generator to the other; every run of a shape goes
 * through every target back to back (not one target after the other), so that noise from a shared
 * machine lands on all targets alike and the ratios stay fair; each shape is run `runs` times.
 */
export async function serving (o: ServingOptions): Promise<ServingResult> {
  for (const t of o.targets) pinProcess(t.pid, SERVER_CPU)
  const rssBefore = new Map(o.targets.map((t) => [t.name, rssBytes(t.pid)]))
  for (const t of o.targets) {
    // one untimed run per target: JIT warm-up and first allocations are not what a long-running checker sees
    await load({ host: '127.0.0.1', port: t.port, path: '/availability', connections: 50, keepAlive: true, durationMs: o.warmupMs, warmupMs: 0 }, LOAD_CPU)
  }
  const rows: ServingRow[] = []
  for (const shape of o.shapes) {
    const generator = generatorFor(shape, o.wrk)
    const runs = new Map<string, ServedRun[]>(o.targets.map((t) => [t.name, []]))
    for (let r = 0; r < o.runs; r++) {
      // each round starts with a different target: a slot that is better or worse placed in a round (measured
      // with the A/A row) is shared by all targets instead of always favouring the same one
      for (const t of rotate(o.targets, r)) {
        o.progress(`serving: ${t.name}, ${describeShape(shape)} (${generator}, run ${r + 1}/${o.runs})`)
        runs.get(t.name)?.push(await runOne(o, t, shape, generator))
      }
    }
    rows.push({ shape, generator, runs })
  }
  const rssAfter = new Map(o.targets.map((t) => [t.name, rssBytes(t.pid)]))
  return { targets: o.targets.map((t) => t.name), rows, pinned: PINNING, wrkMissing: o.wrk === undefined, rssBefore, rssAfter }
}

async function runOne (o: ServingOptions, t: Target, shape: Shape, generator: Generator): Promise<ServedRun> {
  if (generator === 'wrk' && o.wrk !== undefined) {
    const wrk = o.wrk
    // wrk has no warm-up phase: a short untimed run opens the connections first
    await runWrk({ bin: wrk, port: t.port, path: '/availability', connections: shape.connections, durationMs: 1000, cpu: LOAD_CPU })
    return await withCpu(t.pid, async () => await runWrk({ bin: wrk, port: t.port, path: '/availability', connections: shape.connections, durationMs: o.durationMs, cpu: LOAD_CPU }))
  }
  // the generator's untimed warm-up runs in the same process as the timed load: no CPU figure (NaN)
  const r = await load({ host: '127.0.0.1', port: t.port, path: '/availability', ...shape, durationMs: o.durationMs, warmupMs: o.warmupMs }, LOAD_CPU)
  return { ...r, cpuUsPerRequest: NaN }
}

async function withCpu (pid: number, run: () => Promise<LoadReport>): Promise<ServedRun> {
  const before = cpuSeconds(pid)
  const r = await run()
  return { ...r, cpuUsPerRequest: (cpuSeconds(pid) - before) / r.requests * 1e6 }
}

/** The list started at its `by`-th element (wrapping round). */
export function rotate<T> (xs: readonly T[], by: number): T[] {
  if (xs.length === 0) return []
  const k = by % xs.length
  return [...xs.slice(k), ...xs.slice(0, k)]
}

export function describeShape (s: Shape): string {
  return `${s.connections} conn, ${s.keepAlive ? 'keep-alive' : 'new conn per request'}${s.rate !== undefined ? `, fixed ${s.rate} req/s` : ''}`
}
