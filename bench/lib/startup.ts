import type { ChildProcess } from 'node:child_process'
import { availableParallelism, loadavg } from 'node:os'

/**
 * Start-up waits of the processes the tests and the bench run (the sidecar, the bare server, nginx, ...):
 * how long to wait for "I am up", and what to say when it does not come. Shared by test/support and bench/lib.
 */
export interface Bound {
  readonly ms: number
  /** how the figure was arrived at, for the timeout message */
  readonly why: string
}

/**
 * A quiet start of the built sidecar (node, module loading, listen) takes 0.3-0.5 s on a 2-core machine;
 * 15 s is 30x that, room for a cold page cache and the suite's own parallel files (.taprc: 4 jobs on 2 CPUs).
 * Under load a runnable process gets about cores / load of a CPU, so start-up stretches by load / cores:
 * the bound scales by that. At the load average 8 on 2 cores of issue #28 (where 10 s fell short) that
 * is 60 s. The load average trails a burst of parallel test files by up to a minute, so CI (CI=true) gets
 * at least 60 s whatever it says, and the larger of the 1- and 5-minute averages is used.
 * At most 150 s: a start that never comes is still reported before tap's 180 s per-file timeout.
 * Generous on purpose: the wait is on the event and ends as soon as the line arrives; only a failure waits the bound.
 */
export const QUIET_START_MS = 15_000
export const CI_FLOOR_MS = 60_000
export const MAX_START_MS = 150_000

/** The start-up bound now; `quietMs` is the bound on a quiet machine for a start bigger than one process's (the demo's stack). */
export function startupBound (quietMs = QUIET_START_MS): Bound {
  const cores = availableParallelism()
  const [load1 = 0, load5 = 0] = loadavg()
  const load = Math.max(load1, load5)
  const ci = process.env.CI === 'true'
  const scaled = quietMs * Math.max(1, load / cores)
  const ms = Math.round(Math.min(MAX_START_MS, Math.max(scaled, ci ? CI_FLOOR_MS : 0)))
  const floor = ci ? `, at least ${CI_FLOOR_MS / 1000} s in CI` : ''
  return { ms, why: `${quietMs / 1000} s x max(1, load ${load.toFixed(2)} / ${cores} cores)${floor}, at most ${MAX_START_MS / 1000} s` }
}

/** A bound the caller chose (a test's few milliseconds, a wait after start-up). */
export const fixedBound = (ms: number): Bound => ({ ms, why: 'set by the caller' })

export const toBound = (b: number | Bound): Bound => typeof b === 'number' ? fixedBound(b) : b

/** How many of a child's last stdout lines a start-up error shows. */
export const TAIL_LINES = 20
const STDERR_CHARS = 4000

/** The last `max` lines of a stream, for error messages. */
export class LineTail {
  readonly #max: number
  readonly #lines: string[] = []
  #partial = ''

  constructor (max = TAIL_LINES) { this.#max = max }

  /** Adds a chunk; returns the complete lines it finished. */
  push (chunk: string): string[] {
    const parts = (this.#partial + chunk).split('\n')
    this.#partial = parts.pop() ?? ''
    for (const l of parts) { this.#lines.push(l); if (this.#lines.length > this.#max) this.#lines.shift() }
    return parts
  }

  /** The last lines, an unterminated last line included. */
  lines (): string[] { return this.#partial === '' ? [...this.#lines] : [...this.#lines, this.#partial].slice(-this.#max) }
}

/** A start-up wait that failed; pid is the child's (already stopped by whoever throws this). */
export class StartupError extends Error {
  readonly pid: number | undefined
  constructor (message: string, pid: number | undefined) {
    super(message)
    this.name = 'StartupError'
    this.pid = pid
  }
}

export interface FailureReport {
  /** what was awaited: "sidecar listening" */
  readonly what: string
  /** "timed out", "process exited (code 1)", ... */
  readonly reason: string
  readonly bound: Bound
  readonly pid: number | undefined
  readonly stdout: readonly string[]
  readonly stderr: string
  /** more lines for the message (a log file's tail) */
  readonly more?: readonly string[]
}

/** The message of a failed start-up wait: what was awaited, the bound, the child's last stdout lines and its stderr. */
export function startupFailure (r: FailureReport): StartupError {
  const out = r.stdout.length === 0 ? '  (none)' : r.stdout.map((l) => `  ${l}`).join('\n')
  const stderr = r.stderr.length > STDERR_CHARS ? `...${r.stderr.slice(-STDERR_CHARS)}` : r.stderr
  const err = stderr === '' ? '  (empty)' : stderr.trimEnd().split('\n').map((l) => `  ${l}`).join('\n')
  return new StartupError([
    `waiting for ${r.what} (pid ${String(r.pid)}): ${r.reason}; bound ${r.bound.ms} ms (${r.bound.why})`,
    `last ${r.stdout.length} stdout line(s):`, out,
    'stderr:', err,
    ...(r.more ?? []),
  ].join('\n'), r.pid)
}

/** "exited (code 1)", "exited (signal SIGKILL)", or the spawn error. */
export function exitReason (code: number | null, signal: NodeJS.Signals | null, spawnError?: Error): string {
  if (spawnError !== undefined) return `could not start: ${spawnError.message}`
  return signal !== null ? `process exited (signal ${signal})` : `process exited (code ${String(code)})`
}

/**
 * Resolves when the child has gone: its 'exit', or the 'error' of a spawn that failed (ENOENT, EACCES:
 * no 'exit' follows those). Never rejects.
 */
export async function gone (child: ChildProcess): Promise<{ code: number | null, signal: NodeJS.Signals | null, spawnError?: Error }> {
  return await new Promise((resolve) => {
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => { child.off('error', onError); resolve({ code, signal }) }
    const onError = (err: Error): void => {
      // a failed spawn has no pid; other 'error's (a failed kill) leave the process running
      if (child.pid !== undefined) return
      child.off('exit', onExit)
      child.off('error', onError)
      resolve({ code: null, signal: null, spawnError: err })
    }
    child.once('exit', onExit)
    child.on('error', onError)
  })
}

/** True while the child has neither exited nor failed to spawn. */
export const running = (child: ChildProcess): boolean => child.exitCode === null && child.signalCode === null && child.pid !== undefined

/** SIGKILL and wait for the exit (a no-op for a child that is gone). */
export async function killAndWait (child: ChildProcess, exited: Promise<unknown> = gone(child)): Promise<void> {
  if (!running(child)) return
  child.kill('SIGKILL')
  await exited
}

/**
 * After an exit: resolves once the child's stdout and stderr have closed (the last lines read) or after `ms`
 * (a grandchild may hold the pipes open), so a failure message shows everything the child printed.
 */
export async function drained (child: ChildProcess, ms = 1000): Promise<void> {
  const open = [child.stdout, child.stderr].filter((s) => s !== null && !s.closed)
  if (open.length === 0) return
  let timer: NodeJS.Timeout | undefined
  await Promise.race([
    Promise.all(open.map(async (s) => await new Promise((resolve) => { s?.once('close', resolve) }))),
    new Promise((resolve) => { timer = setTimeout(resolve, ms) }),
  ])
  clearTimeout(timer)
}
