import { SIDECAR } from './names.js'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { chmodSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { delimiter, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { NODE_FLAGS } from '../../src/node-flags.js'
import {
  drained, exitReason, gone, killAndWait, LineTail, running, startupBound, startupFailure, toBound, type Bound,
} from './startup.js'

/** The product artifact: what `npm start` and the container run. */
export const CLI = fileURLToPath(new URL('../../../../dist/cli.js', import.meta.url))

/** A server under test, running in its own process. */
export interface Target {
  readonly name: string
  readonly pid: number
  readonly port: number
  readonly child: ChildProcess
  stop: () => Promise<void>
}

/** The demo's and the tests' port picker (below the ephemeral range: no outgoing connection takes it first). */
export { freePort } from '../../src/demo/free-port.js'

/** Resident set size in bytes (Linux /proc); NaN elsewhere. */
export function rssBytes (pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m?.[1] !== undefined ? Number(m[1]) * 1024 : NaN
  } catch { return NaN }
}

/** CPU time used so far by every thread of pid, in seconds, at nanosecond resolution (schedstat); NaN when unreadable. */
export function cpuSeconds (pid: number): number {
  try {
    let ns = 0
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0])
    }
    return ns / 1e9
  } catch { return NaN }
}

export function findBinary (name: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${name} || ls /usr/sbin/${name} 2>/dev/null`], { encoding: 'utf8' })
  const path = found.stdout.trim().split('\n')[0]
  return found.status === 0 && path !== undefined && path !== '' ? path : undefined
}

/** Every child the bench started that has not exited yet: what stopAll() kills when a section fails. */
const live = new Set<ChildProcess>()

/** Registers a child for stopAll(); it leaves the set when it exits. */
export function track<C extends ChildProcess> (child: C): C {
  if (!running(child)) return child
  live.add(child)
  gone(child).then(() => { live.delete(child) }, () => {})
  return child
}

/** The pids of the tracked children still running. */
export const livePids = (): number[] => [...live].map((c) => c.pid ?? -1)

/** Kills (SIGKILL) and awaits every tracked child still running; returns how many there were. */
export async function stopAll (): Promise<number> {
  const children = [...live]
  await Promise.all(children.map(async (c) => { await killAndWait(c) }))
  return children.length
}

/**
 * The exit code of a tool run for a known time (a load generator, a measuring child), waited for at most
 * `expectedMs` plus the start-up bound (scaled by the machine's load). Past that it is killed (SIGKILL) and
 * `failure` (an Error naming `what` by default) is thrown: a tool that hangs fails its section in bounded
 * time instead of holding the whole bench.
 */
export async function exitWithin (child: ChildProcess, expectedMs: number, what: string,
  failure: (message: string) => Error = (m) => new Error(m), slack: Bound = startupBound()): Promise<number | null> {
  const limitMs = expectedMs + slack.ms
  const exited = gone(child)
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<'late'>((resolve) => { timer = setTimeout(() => { resolve('late') }, limitMs) })
  try {
    const r = await Promise.race([exited, late])
    if (r !== 'late') return r.code
  } finally {
    clearTimeout(timer)
  }
  await killAndWait(child, exited)
  return await Promise.reject(failure(`${what} (pid ${String(child.pid)}) had not exited after ${limitMs} ms ` +
    `(its ${expectedMs} ms + ${slack.ms} ms: ${slack.why}): killed`))
}

/** Kill and wait: every process the bench starts is stopped by the bench. */
export async function stopChild (child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (!running(child)) return
  const exited = gone(child)
  child.kill(signal)
  await exited
}

/**
 * Resolves with the first stdout line matching, or rejects (a StartupError naming `what`, the bound, the last
 * stdout lines and stderr) when the process exits or after the bound. Does not stop the child: awaitStartup does.
 */
export async function waitForLine (child: ChildProcess, match: (line: string) => boolean, timeout: number | Bound,
  what: string): Promise<string> {
  const bound = toBound(timeout)
  const tail = new LineTail()
  let stderr = ''
  const onStderr = (c: string): void => { if (stderr.length < 100_000) stderr += c }
  child.stderr?.setEncoding('utf8').on('data', onStderr)
  const fail = (reason: string): Error => startupFailure({ what, reason, bound, pid: child.pid, stdout: tail.lines(), stderr })
  return await new Promise((resolve, reject) => {
    let done = false
    const timer = setTimeout(() => { finish(fail(`timed out after ${bound.ms} ms`)) }, bound.ms)
    const onData = (chunk: string): void => {
      const line = tail.push(chunk).find(match)
      if (line !== undefined) finish(undefined, line)
    }
    const finish = (err?: Error, line?: string): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      child.stdout?.off('data', onData)
      child.stderr?.off('data', onStderr)
      // keep draining both pipes so a chatty child never blocks on a full one
      child.stdout?.resume()
      child.stderr?.resume()
      if (err !== undefined) reject(err); else resolve(line ?? '')
    }
    child.stdout?.setEncoding('utf8').on('data', onData)
    if (child.exitCode !== null || child.signalCode !== null) { finish(fail(exitReason(child.exitCode, child.signalCode))); return }
    gone(child).then(async (e) => { await drained(child); finish(fail(exitReason(e.code, e.signal, e.spawnError))) }, () => {})
  })
}

/**
 * waitForLine for a child's start-up line within the start-up bound (bench/lib/startup.ts); when the wait
 * fails, kills the child (SIGKILL) and awaits its exit before rethrowing: a failed start leaves nothing running.
 */
export async function awaitStartup (child: ChildProcess, match: (line: string) => boolean, what: string,
  bound: number | Bound = startupBound()): Promise<string> {
  try {
    return await waitForLine(child, match, bound, what)
  } catch (err) {
    await killAndWait(child)
    throw err
  }
}

export interface SidecarOptions {
  readonly emqxUrl: string
  readonly pollIntervalMs?: number
  /** a fixed port (to probe before the process says it listens); 0 by default */
  readonly port?: number
  readonly nodeArgs?: readonly string[]
  readonly extraArgs?: readonly string[]
  readonly env?: Readonly<Record<string, string>>
  /**
   * A node binary: run dist/cli.js itself, as users run the `emqx-lb-sidecar` binary (its shebang
   * picks `node` from PATH, with the flags of src/node-flags.ts), with this binary's directory first on PATH.
   */
  readonly runtime?: string
  /** how long to wait for the listening line; startupBound() by default */
  readonly startupBound?: number | Bound
  /** another command to spawn instead of the CLI (the failure path's test: a child that never listens) */
  readonly launch?: { readonly file: string, readonly args: readonly string[] }
}

/**
 * Spawns dist/cli.js on loopback and resolves once it logs that it listens; when it does not within the
 * start-up bound (or exits first), kills it and rejects with a StartupError.
 */
export async function startSidecar (o: SidecarOptions): Promise<Target> {
  const args = ['--host', '127.0.0.1', '--port', String(o.port ?? 0), '--emqx-url', o.emqxUrl]
  if (o.pollIntervalMs !== undefined) args.push('--poll-interval', `${o.pollIntervalMs}ms`)
  args.push(...(o.extraArgs ?? []))
  let PATH = process.env.PATH ?? ''
  let cmd = process.execPath
  if (o.runtime !== undefined) {
    // npm's bin-links make the bin file executable on install; a checkout's build does not
    chmodSync(CLI, statSync(CLI).mode | 0o111)
    PATH = `${dirname(o.runtime)}${delimiter}${PATH}`
    cmd = CLI
  } else args.unshift(...NODE_FLAGS, ...(o.nodeArgs ?? []), CLI)
  const [file, argv] = o.launch !== undefined ? [o.launch.file, [...o.launch.args]] : [cmd, args]
  // The agent-check listener (when this build has one) would take its fixed default port: off,
  // through the environment so that builds without the option only warn.
  const child = track(spawn(file, argv, { env: { PATH, SIDECAR_AGENT_PORT: '0', ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] }))
  const line = await awaitStartup(child, (l) => l.includes('"event":"listening"'), 'sidecar listening', o.startupBound)
  const port = (JSON.parse(line) as { port: number }).port
  return { name: SIDECAR, pid: child.pid ?? -1, port, child, stop: async () => { await stopChild(child) } }
}
