import { spawn } from 'node:child_process'
import type { LoadReport } from '../load/child.js'
import { exitWithin, findBinary, track } from './proc.js'
import { pinned } from './pin.js'

/**
 * wrk (Debian package `wrk`, written in C) for the closed-loop keep-alive rows: at tens of thousands of
 * requests a second the JavaScript generator, one core like the server, measures itself. wrk cannot
 * send at a fixed rate without coordinated omission nor time a new connection per request, so those
 * rows stay with load/generator.ts.
 */
export function findWrk (): string | undefined { return findBinary('wrk') }

export interface WrkSpec {
  readonly bin: string
  readonly port: number
  readonly path: string
  readonly connections: number
  readonly durationMs: number
  /** CPU to pin wrk to (taskset), when pinning */
  readonly cpu?: number
}

export async function runWrk (s: WrkSpec): Promise<LoadReport> {
  const args = ['-t1', `-c${s.connections}`, `-d${Math.max(1, Math.round(s.durationMs / 1000))}s`, '--latency', `http://127.0.0.1:${s.port}${s.path}`]
  const [cmd, argv] = pinned(s.bin, args, s.cpu)
  const child = track(spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] }))
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (c: string) => { out += c })
  child.stderr.setEncoding('utf8').on('data', (c: string) => { out += c })
  const code = await exitWithin(child, Math.max(1000, s.durationMs), 'wrk')
  if (code !== 0) throw new Error(`wrk exited ${String(code)}: ${out.slice(-500)}`)
  return parseWrk(out)
}

const UNIT: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 }
const toMs = (v: string | undefined, unit: string | undefined): number => v === undefined || unit === undefined ? NaN : Number(v) * (UNIT[unit] ?? NaN)

/** wrk's report (with --latency) as the generator's LoadReport; its p90 is wrk's 90%, mean its Avg. */
export function parseWrk (out: string): LoadReport {
  const lat = /Latency\s+([\d.]+)(us|ms|s)\s+[\d.]+(?:us|ms|s|m)\s+([\d.]+)(us|ms|s|m)/.exec(out)
  const pct = (p: number): number => { const m = new RegExp(`\\s${p}%\\s+([\\d.]+)(us|ms|s|m)`).exec(out); return toMs(m?.[1], m?.[2]) }
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN)
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out)
  const errors = sock === null ? 0 : sock.slice(1).reduce((a, v) => a + Number(v), 0)
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0)
  return {
    requests,
    errors,
    statuses: { 200: requests - non2xx, ...(non2xx > 0 ? { 'non-2xx': non2xx } : {}) },
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN),
    latency: { n: requests, p50: pct(50), p90: pct(90), p99: pct(99), max: toMs(lat?.[3], lat?.[4]), mean: toMs(lat?.[1], lat?.[2]) },
  }
}
