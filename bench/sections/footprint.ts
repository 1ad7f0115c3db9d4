import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import type { EmqxSim } from '../../src/sim/emqx-sim.js'
import { cpuSeconds, freePort, rssBytes, startSidecar, type Target } from '../lib/proc.js'
import { median } from '../lib/stats.js'
import { startBare } from '../servers/targets.js'

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url))

export interface IdleFigures {
  readonly rssBytes: number
  /** share of one core, 0..1 */
  readonly cpu: number
}

export interface FootprintResult {
  readonly sidecarIdle: IdleFigures
  /** RSS of a node process that only loaded the sidecar's four runtime dependencies (and collected garbage): the floor of this stack */
  readonly librariesRss: number
  readonly bareIdle: IdleFigures
  /** spawn -> first 200 from /availability, in ms, one per start */
  readonly startMs: readonly number[]
  readonly startMedianMs: number
}

/** Idle memory and CPU of a fresh sidecar at the default poll interval (and of the bare server), and start-up time. */
export async function footprint (sim: EmqxSim, o: { settleMs: number, cpuWindowMs: number, starts: number }, progress: (msg: string) => void): Promise<FootprintResult> {
  sim.stopProcess()
  progress(`footprint: idle sidecars and bare server (${(o.settleMs + o.cpuWindowMs) / 1000} s)`)
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
  const librariesRss = await librariesOnly()
  const startMs: number[] = []
  for (let i = 0; i < o.starts; i++) {
    progress(`footprint: start to first correct answer ${i + 1}/${o.starts}`)
    startMs.push(await startToFirstAnswer(sim))
  }
  return { sidecarIdle, librariesRss, bareIdle, startMs, startMedianMs: median(startMs) }
}

async function idle (targets: readonly Target[], windowMs: number): Promise<IdleFigures[]> {
  const cpu0 = targets.map((t) => cpuSeconds(t.pid))
  const t0 = performance.now()
  await new Promise((resolve) => setTimeout(resolve, windowMs))
  const seconds = (performance.now() - t0) / 1000
  return targets.map((t, i) => ({ rssBytes: rssBytes(t.pid), cpu: (cpuSeconds(t.pid) - (cpu0[i] ?? NaN)) / seconds }))
}

const LIBRARIES = "require('fastify'); require('undici'); require('pino'); require('prom-client').collectDefaultMetrics()"

/** RSS of a node that loaded fastify, undici, pino and prom-client and nothing else, after a full GC. */
async function librariesOnly (): Promise<number> {
  const code = `${LIBRARIES}; setTimeout(() => { gc(); process.stdout.write(String(process.memoryUsage().rss) + '\\n'); process.exit(0) }, 1000)`
  const child = spawn(process.execPath, ['--expose-gc', '-e', code], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (c: string) => { out += c })
  await once(child, 'exit')
  return Number(out.trim())
}

/** From spawn() to the first 200: node start-up, module loading, the first EMQX check and listen. */
async function startToFirstAnswer (sim: EmqxSim): Promise<number> {
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
