import { spawn } from 'node:child_process'
import { exitWithin, findBinary, track } from './proc.js'
import { pinned } from './pin.js'

/**
 * h2load (Debian package `nghttp2-client`) over HTTP/1.1 at a fixed rate: `-c` keep-alive connections
 * each sending `--rps` requests a second, whatever the answers do (checkers keep their interval), for a
 * warm-up and then a fixed main duration. Only the main duration is counted, and h2load says on stdout
 * when it starts and ends, so the caller can read the server's CPU time at those two moments.
 */
export function findH2load (): string | undefined { return findBinary('h2load') }

export interface H2loadSpec {
  readonly bin: string
  readonly port: number
  readonly path: string
  readonly clients: number
  /** requests a second per client: the total rate is clients x rpsPerClient */
  readonly rpsPerClient: number
  readonly warmupMs: number
  readonly durationMs: number
  /** CPU to pin h2load to (taskset), when pinning */
  readonly cpu?: number
  /** called when the main duration starts and when it ends (h2load's own lines) */
  readonly onMainStart?: () => void
  readonly onMainEnd?: () => void
}

export interface H2loadReport {
  /** requests done in the main duration */
  readonly done: number
  readonly succeeded: number
  readonly failed: number
  readonly errored: number
  readonly timeout: number
  readonly status2xx: number
  /** answers other than 2xx (3xx, 4xx, 5xx) */
  readonly non2xx: number
}

/** h2load ended without marking its main duration, so no CPU window can be read for it. */
export class H2loadUntimed extends Error {
  override readonly name = 'H2loadUntimed'
}

export const MAIN_START = 'Main benchmark duration is started'
export const MAIN_END = 'Main benchmark duration is over'

export function h2loadArgs (s: H2loadSpec): string[] {
  return [
    '--h1', '-t1', `-c${s.clients}`, `--rps=${s.rpsPerClient}`,
    `--warm-up-time=${Math.round(s.warmupMs)}ms`, `-D${Math.round(s.durationMs)}ms`,
    `http://127.0.0.1:${s.port}${s.path}`,
  ]
}

export async function runH2load (s: H2loadSpec): Promise<H2loadReport> {
  const [cmd, argv] = pinned(s.bin, h2loadArgs(s), s.cpu)
  const child = track(spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] }))
  let out = ''
  let partial = ''
  let started = false
  let ended = false
  child.stdout.setEncoding('utf8').on('data', (c: string) => {
    out += c
    const lines = (partial + c).split('\n')
    partial = lines.pop() ?? ''
    for (const l of lines) {
      if (!started && l.startsWith(MAIN_START)) { started = true; s.onMainStart?.() }
      if (started && !ended && l.startsWith(MAIN_END)) { ended = true; s.onMainEnd?.() }
    }
  })
  child.stderr.setEncoding('utf8').on('data', (c: string) => { out += c })
  // a hung h2load counts as one that never marked its main duration: the caller runs the pair once more
  const code = await exitWithin(child, s.warmupMs + s.durationMs, 'h2load', (m) => new H2loadUntimed(`${m}; its output:\n${out.slice(-1500)}`))
  if (code !== 0) throw new Error(`h2load exited ${String(code)}: ${out.slice(-500)}`)
  if (!started || !ended) {
    const missing = [started ? undefined : `"${MAIN_START}"`, ended ? undefined : `"${MAIN_END}"`].filter((m) => m !== undefined)
    throw new H2loadUntimed(`h2load exited 0 without printing ${missing.join(' and ')}; its output:\n${out.slice(-1500)}`)
  }
  return parseH2load(out)
}

/** h2load's summary lines `requests: ...` and `status codes: ...`; throws when they are missing. */
export function parseH2load (out: string): H2loadReport {
  const req = /requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout/.exec(out)
  const st = /status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx/.exec(out)
  if (req === null || st === null) throw new Error(`h2load's report has no requests/status codes lines: ${out.slice(-500)}`)
  const n = (m: RegExpExecArray, i: number): number => Number(m[i])
  return {
    done: n(req, 3),
    succeeded: n(req, 4),
    failed: n(req, 5),
    errored: n(req, 6),
    timeout: n(req, 7),
    status2xx: n(st, 1),
    non2xx: n(st, 2) + n(st, 3) + n(st, 4),
  }
}
