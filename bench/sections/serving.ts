import { load, type LoadReport } from '../lib/load.js'
import { LOAD_CPU, PINNING, pinProcess, SERVER_CPU } from '../lib/pin.js'
import { cpuSeconds, rssBytes, type Target } from '../lib/proc.js'
import { readFileSync } from 'node:fs'
import { BARE, BARE_AGAIN, IN_SIDECAR_BARE, SIDECAR } from '../lib/names.js'
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

/**
 * A target and the bare server loaded at the same time, both on the server core, each by its own wrk on
 * the generator core: they share the one core fairly, so the req/s ratio is the inverse ratio of CPU per
 * request, and whatever the host does to that core's speed hits both in the same seconds (bench/README.md).
 */
export interface PairRow {
  readonly shape: Shape
  readonly target: string
  /** per round: the target's requests over the bare server's */
  readonly ratios: readonly number[]
  /** per round: the share of the generator core that was busy (near 1 would mean wrk, not the servers, set the pace) */
  readonly generatorBusy: readonly number[]
}

export interface ServingResult {
  readonly targets: readonly string[]
  readonly rows: readonly ServingRow[]
  /** same-core pairs for the wrk loads (none without wrk or pinning) */
  readonly pairs: readonly PairRow[]
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
  const pairs = o.wrk === undefined || !PINNING ? [] : await pairRows(o, o.wrk)
  const rssAfter = new Map(o.targets.map((t) => [t.name, rssBytes(t.pid)]))
  return { targets: o.targets.map((t) => t.name), rows, pairs, pinned: PINNING, wrkMissing: o.wrk === undefined, rssBefore, rssAfter }
}

/** Targets paired with the bare server: the sidecar, the bare handler inside a sidecar process, and the A/A twin (the method's noise). */
const PAIRED = [SIDECAR, IN_SIDECAR_BARE, BARE_AGAIN]

async function pairRows (o: ServingOptions, wrk: string): Promise<PairRow[]> {
  const bare = o.targets.find((t) => t.name === BARE)
  if (bare === undefined) return []
  const rows: PairRow[] = []
  for (const shape of o.shapes.filter((sh) => generatorFor(sh, wrk) === 'wrk' && sh.connections >= 100)) {
    for (const name of PAIRED) {
      const t = o.targets.find((x) => x.name === name)
      if (t === undefined) continue
      const ratios: number[] = []
      const generatorBusy: number[] = []
      for (let r = 0; r < o.runs; r++) {
        o.progress(`serving: ${t.name} and ${bare.name} at once on one core, ${describeShape(shape)} (wrk, run ${r + 1}/${o.runs})`)
        const both = async (ms: number): Promise<[LoadReport, LoadReport]> => await Promise.all([bare, t].map(async (x) =>
          await runWrk({ bin: wrk, port: x.port, path: '/availability', connections: shape.connections, durationMs: ms, cpu: LOAD_CPU }))) as [LoadReport, LoadReport]
        await both(1000)
        const before = coreJiffies(LOAD_CPU)
        const [b, x] = await both(o.durationMs)
        const after = coreJiffies(LOAD_CPU)
        ratios.push(x.requests / b.requests)
        generatorBusy.push(before === undefined || after === undefined ? NaN : (after.busy - before.busy) / (after.total - before.total))
      }
      rows.push({ shape, target: t.name, ratios, generatorBusy })
    }
  }
  return rows
}

/** A CPU's busy and total jiffies since boot (/proc/stat), undefined where unreadable. */
function coreJiffies (cpu: number): { busy: number, total: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n').find((l) => l.startsWith(`cpu${cpu} `))
    if (line === undefined) return undefined
    // user nice system idle iowait irq softirq steal
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1).map(Number)
    const busy = user + nice + system + irq + softirq + steal
    return { busy, total: busy + idle + iowait }
  } catch { return undefined }
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
