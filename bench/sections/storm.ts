import { spawn, spawnSync } from 'node:child_process'
import { NODE_FLAGS } from '../../src/node-flags.js'
import type { EmqxDouble } from '../../src/emqx-double/double.js'
import { load } from '../lib/load.js'
import { exitWithin, findBinary, rssBytes, startSidecar, track, type Target } from '../lib/proc.js'
import { startBare } from '../servers/targets.js'

export interface StormOptions {
  /** node binaries to measure, one runtime each */
  readonly nodes: readonly string[]
  readonly connections: number
  readonly durationMs: number
  /** idle time before the storm */
  readonly settleMs: number
  /** the "later" sample, this long after the storm ends */
  readonly laterMs: number
  readonly repeats: number
}

/** One storm against one fresh server: RSS in bytes. */
export interface StormRun {
  readonly idle: number
  /** highest RSS sampled (every 100 ms) from the storm's start to the later sample */
  readonly peak: number
  /** right after the storm */
  readonly after: number
  readonly later: number
  readonly requests: number
}

export interface StormRow {
  /** `process.version` of the runtime */
  readonly runtime: string
  readonly target: string
  readonly runs: readonly StormRun[]
}

export interface StormResult {
  readonly connections: number
  readonly durationMs: number
  readonly laterMs: number
  readonly flags: readonly string[]
  /** `wrk` when installed (pinned to a core of its own with taskset), else the bench's own generator */
  readonly generator: string
  readonly rows: readonly StormRow[]
}

const runtimeVersion = (node: string): string => spawnSync(node, ['-p', 'process.version'], { encoding: 'utf8' }).stdout.trim()

/**
 * Footprint under a checker storm, per runtime: `connections` checkers each opening a new connection per
 * probe (`Connection: close`) for durationMs, against the sidecar run as users run the binary (dist/cli.js
 * through its shebang, with the runtime first on PATH) and against the bare node:http server under the
 * same node flags. Each run starts fresh servers; RSS idle, at peak, right after and laterMs after.
 */
export async function checkerStorm (sim: EmqxDouble, o: StormOptions, progress: (msg: string) => void): Promise<StormResult> {
  sim.stopProcess()
  const wrk = findBinary('wrk')
  const taskset = findBinary('taskset')
  const rows: StormRow[] = []
  for (const node of o.nodes) {
    const runtime = runtimeVersion(node)
    const starters: Array<[string, () => Promise<Target>]> = [
      ['sidecar', async () => await startSidecar({ emqxUrl: sim.url, runtime: node })],
      ['bare node:http', async () => await startBare('{"state":"up"}', 0, node, NODE_FLAGS)],
    ]
    for (const [target, start] of starters) {
      const runs: StormRun[] = []
      for (let i = 0; i < o.repeats; i++) {
        progress(`footprint: storm of ${o.connections} new-connection checkers, ${target} on node ${runtime}, ${i + 1}/${o.repeats}`)
        const server = await start()
        try {
          runs.push(await stormOnce(server, o, wrk, taskset))
        } finally {
          await server.stop()
        }
      }
      rows.push({ runtime, target, runs })
    }
  }
  return { connections: o.connections, durationMs: o.durationMs, laterMs: o.laterMs, flags: NODE_FLAGS, generator: wrk !== undefined ? 'wrk' : 'bench generator', rows }
}

async function stormOnce (server: Target, o: StormOptions, wrk: string | undefined, taskset: string | undefined): Promise<StormRun> {
  // server on core 0, load on core 1: the storm's figures do not depend on who wins the CPU
  if (taskset !== undefined) spawnSync(taskset, ['-a', '-p', '-c', '0', String(server.pid)], { stdio: 'ignore' })
  await new Promise((resolve) => setTimeout(resolve, o.settleMs))
  const idle = rssBytes(server.pid)
  let peak = idle
  const sampler = setInterval(() => { peak = Math.max(peak, rssBytes(server.pid)) }, 100)
  try {
    const requests = await storm(server.port, o, wrk, taskset)
    const after = rssBytes(server.pid)
    await new Promise((resolve) => setTimeout(resolve, o.laterMs))
    const later = rssBytes(server.pid)
    return { idle, peak: Math.max(peak, after, later), after, later, requests }
  } finally {
    clearInterval(sampler)
  }
}

/** Requests answered during the storm. */
async function storm (port: number, o: StormOptions, wrk: string | undefined, taskset: string | undefined): Promise<number> {
  const url = `http://127.0.0.1:${port}/availability`
  if (wrk === undefined) {
    const r = await load({ host: '127.0.0.1', port, path: '/availability', connections: o.connections, keepAlive: false, durationMs: o.durationMs, warmupMs: 0 })
    return r.requests
  }
  const args = ['-t1', `-c${o.connections}`, `-d${Math.max(1, Math.round(o.durationMs / 1000))}s`, '-H', 'Connection: close', url]
  const child = track(taskset !== undefined ? spawn(taskset, ['-c', '1', wrk, ...args], { stdio: ['ignore', 'pipe', 'ignore'] }) : spawn(wrk, args, { stdio: ['ignore', 'pipe', 'ignore'] }))
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (c: string) => { out += c })
  await exitWithin(child, Math.max(1000, o.durationMs), 'wrk (storm)')
  return Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN)
}
