import { spawn, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { NODE_FLAGS } from '../../src/node-flags.js'
import type { EmqxDouble } from '../../src/emqx-double/double.js'
import { awaitStartup, cpuSeconds, freePort, rssBytes, startSidecar, stopChild, track, type Target } from '../lib/proc.js'
import { vmStatus } from '../lib/proc-stat.js'
import { median } from '../lib/stats.js'
import { startBare } from '../servers/targets.js'
import { moduleTable, type ModuleTable } from './modules.js'

const FLOOR = fileURLToPath(new URL('../servers/floor.js', import.meta.url))

export interface IdleFigures {
  readonly rssBytes: number
  /** share of one core, 0..1 */
  readonly cpu: number
}

/** VmRSS once settled and VmHWM (the start-up peak), in bytes. */
export interface Settled {
  readonly rss: number
  readonly hwm: number
  /** the VmRSS samples taken after the settle time, in order */
  readonly samples: readonly number[]
}

/** The sidecar and the floor, started together and left idle. */
export interface IdlePair {
  readonly sidecar: Settled
  readonly floor: Settled
}

/** Idle memory on one runtime: the sidecar against the floor of its stack (bench/servers/floor.ts), fresh pairs. */
export interface RuntimeIdle {
  /** `process.version` of the runtime */
  readonly runtime: string
  readonly runs: readonly IdlePair[]
}

export interface FootprintOptions {
  readonly settleMs: number
  /** between VmRSS samples once settled */
  readonly sampleMs: number
  readonly cpuWindowMs: number
  readonly starts: number
  /** node binaries: idle RSS against the floor and the module table on each */
  readonly nodes: readonly string[]
  /** fresh sidecar + floor pairs per runtime (one process's idle RSS moves by a few MiB from start to start) */
  readonly floorRuns: number
  readonly moduleRepeats: number
  /** each package imported alone too, beside the cumulative rows */
  readonly moduleAlone: boolean
}

export interface FootprintResult {
  /** this node, the sidecar run through its shebang */
  readonly sidecarIdle: IdleFigures
  readonly bareIdle: IdleFigures
  /** per runtime (--node), in the order given */
  readonly runtimes: readonly RuntimeIdle[]
  readonly modules: readonly ModuleTable[]
  /** spawn -> first 200 from /availability, in ms, one per start */
  readonly startMs: readonly number[]
  readonly startMedianMs: number
}

export const runtimeVersion = (node: string): string => spawnSync(node, ['-p', 'process.version'], { encoding: 'utf8' }).stdout.trim()

/**
 * Idle memory and CPU of a fresh sidecar at the default poll interval (and of the bare server), start-up
 * time, and per runtime: the sidecar's settled idle RSS and start-up peak against the floor's, and the
 * modules it loads with what each costs.
 */
export async function footprint (sim: EmqxDouble, o: FootprintOptions, progress: (msg: string) => void): Promise<FootprintResult> {
  sim.stopProcess()
  progress(`footprint: idle sidecar and bare server (${(o.settleMs + o.cpuWindowMs) / 1000} s)`)
  // the binary as users run it: dist/cli.js through its shebang (node with src/node-flags.ts's flags)
  const sidecar = await startSidecar({ emqxUrl: sim.url, runtime: process.execPath })
  const bare = await startBare('{}')
  let figures: IdleFigures[]
  try {
    await new Promise((resolve) => setTimeout(resolve, o.settleMs))
    figures = await idle([sidecar, bare], o.cpuWindowMs)
  } finally {
    for (const t of [sidecar, bare]) await t.stop()
  }
  const [sidecarIdle, bareIdle] = figures as [IdleFigures, IdleFigures]
  const runtimes: RuntimeIdle[] = []
  const modules: ModuleTable[] = []
  for (const node of o.nodes) {
    const runtime = runtimeVersion(node)
    runtimes.push(await againstFloor(sim, node, runtime, o, progress))
    modules.push(await moduleTable(node, runtime, sim.url, { afterMs: o.settleMs, repeats: o.moduleRepeats, alone: o.moduleAlone }, progress))
  }
  const startMs: number[] = []
  for (let i = 0; i < o.starts; i++) {
    progress(`footprint: start to first correct answer ${i + 1}/${o.starts}`)
    startMs.push(await startToFirstAnswer(sim))
  }
  return { sidecarIdle, bareIdle, runtimes, modules, startMs, startMedianMs: median(startMs) }
}

async function idle (targets: readonly Target[], windowMs: number): Promise<IdleFigures[]> {
  const cpu0 = targets.map((t) => cpuSeconds(t.pid))
  const t0 = performance.now()
  await new Promise((resolve) => setTimeout(resolve, windowMs))
  const seconds = (performance.now() - t0) / 1000
  return targets.map((t, i) => ({ rssBytes: rssBytes(t.pid), cpu: (cpuSeconds(t.pid) - (cpu0[i] ?? NaN)) / seconds }))
}

/**
 * The floor of the stack (bench/servers/floor.ts) on `node` under the sidecar's node flags, once it listens,
 * polling the EMQX double once a second as the sidecar does.
 */
async function startFloor (node: string, emqxUrl: string): Promise<Target> {
  const env = { PATH: process.env.PATH ?? '', FLOOR_EMQX_URL: emqxUrl }
  const child = track(spawn(node, [...NODE_FLAGS, FLOOR], { env, stdio: ['ignore', 'pipe', 'pipe'] }))
  const line = await awaitStartup(child, (l) => l.includes('"event":"listening"'), 'floor listening')
  const port = (JSON.parse(line) as { port: number }).port
  return { name: 'floor', pid: child.pid ?? -1, port, child, stop: async () => { await stopChild(child) } }
}

/** Samples needed in a row within SETTLED_WITHIN of each other (after the settle time, at most MAX_SAMPLES). */
const SETTLED_RUN = 3
const SETTLED_WITHIN = 0.01
const MAX_SAMPLES = 10

/** Once the last SETTLED_RUN samples lie within SETTLED_WITHIN of their median. */
export function isSettled (samples: readonly number[]): boolean {
  const last = samples.slice(-SETTLED_RUN)
  if (last.length < SETTLED_RUN) return false
  const m = median(last)
  return last.every((v) => Math.abs(v - m) <= m * SETTLED_WITHIN)
}

/** floorRuns fresh pairs of the sidecar and the floor on one runtime. */
async function againstFloor (
  sim: EmqxDouble, node: string, runtime: string, o: FootprintOptions, progress: (msg: string) => void
): Promise<RuntimeIdle> {
  const runs: IdlePair[] = []
  for (let i = 0; i < o.floorRuns; i++) {
    progress(`footprint: idle RSS of the sidecar and of the floor (fastify + undici + pino + prom-client), node ${runtime}, ` +
      `${i + 1}/${o.floorRuns}`)
    runs.push(await idlePair(sim, node, o))
  }
  return { runtime, runs }
}

/**
 * The sidecar (dist/cli.js through its shebang on this runtime, polling the EMQX double every second) and
 * the floor, started together and left idle: after the settle time (a few polls) VmRSS is sampled until it
 * settles; the figure is the median of the last samples, and VmHWM is the start-up peak.
 */
async function idlePair (sim: EmqxDouble, node: string, o: FootprintOptions): Promise<IdlePair> {
  const servers: Target[] = []
  try {
    const sidecar = await startSidecar({ emqxUrl: sim.url, runtime: node })
    servers.push(sidecar)
    const floor = await startFloor(node, sim.url)
    servers.push(floor)
    await new Promise((resolve) => setTimeout(resolve, o.settleMs))
    const samples: [number[], number[]] = [[], []]
    for (let i = 0; i < MAX_SAMPLES; i++) {
      servers.forEach((t, k) => { samples[k]?.push(vmStatus(t.pid).rss) })
      if (samples.every(isSettled)) break
      await new Promise((resolve) => setTimeout(resolve, o.sampleMs))
    }
    const settled = (t: Target, s: number[]): Settled => ({ rss: median(s.slice(-SETTLED_RUN)), hwm: vmStatus(t.pid).hwm, samples: s })
    return { sidecar: settled(sidecar, samples[0]), floor: settled(floor, samples[1]) }
  } finally {
    for (const t of servers) await t.stop()
  }
}

/** From spawn() to the first 200: node start-up, module loading, the first EMQX check and listen. */
async function startToFirstAnswer (sim: EmqxDouble): Promise<number> {
  const port = await freePort()
  const t0 = performance.now()
  const started = startSidecar({ emqxUrl: sim.url, port, runtime: process.execPath })
  let sidecar: Target | undefined
  started.then((s) => { sidecar = s }, () => {})
  try {
    for (;;) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/availability`)
        await res.arrayBuffer()
        if (res.status === 200) return performance.now() - t0
      } catch {}
      if (performance.now() - t0 > 10_000) throw new Error('the sidecar did not answer 200 within 10 s of its start')
      await new Promise((resolve) => setTimeout(resolve, 2))
    }
  } finally {
    sidecar ??= await started
    await sidecar.stop()
  }
}
