import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import type { Test } from 'tap'
import { NODE_FLAGS } from '../../src/node-flags.js'
import { startDouble, type EmqxDouble } from './emqx-double.js'
import {
  drained, exitReason, fixedBound, gone, killAndWait, LineTail, startupBound, startupFailure, toBound, type Bound,
} from '../../bench/lib/startup.js'

export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url))

export interface LogLine { level: string, msg: string, [k: string]: unknown }

export interface SidecarProcess {
  readonly child: ChildProcess
  readonly port: number
  readonly url: string
  /** parsed JSON log lines so far */
  readonly logs: LogLine[]
  readonly stderr: () => string
  /** resolves with the exit code */
  readonly exited: Promise<number | null>
  /** resolves with the first log line matching, or rejects after timeoutMs (naming `what`, the last stdout lines, stderr) */
  waitForLog: (match: (l: LogLine) => boolean, timeoutMs: number, what: string) => Promise<LogLine>
}

export interface StartOptions {
  /** how long to wait for the listening line; startupBound() (bench/lib/startup.ts) by default */
  readonly bound?: number | Bound
  /** another command to spawn instead of the CLI (the failure path's test: a child that never listens) */
  readonly launch?: { readonly file: string, readonly args: readonly string[] }
}

/**
 * Runs the built CLI (dist/cli.js with NODE_FLAGS: what `npm start` and the Docker image run) with the
 * given args and env, on port 0 unless told otherwise; resolves once it logs that it listens.
 * The agent-check listener of `serve` is off (`--agent-port 0`) unless the args set a port: its default 9184 would
 * collide between tests running in parallel. Later flags win, so `['--agent-port', String(p)]` turns it on.
 * `command` selects another long-running subcommand (e.g. ['nginx-sync']) with the same listening log.
 * When the listening line does not come within the start-up bound, or the process exits first, the child
 * is killed (SIGKILL, exit awaited) and this rejects with a StartupError naming the wait, the bound, the
 * child's last stdout lines and its stderr.
 */
export async function startSidecar (t: Test, args: string[], env: Record<string, string> = {}, command: string[] = [],
  o: StartOptions = {}): Promise<SidecarProcess> {
  const agentOff = command.length === 0 ? ['--agent-port', '0'] : []
  const file = o.launch?.file ?? process.execPath
  const argv = o.launch?.args ?? [...NODE_FLAGS, CLI, ...command, '--host', '127.0.0.1', '--port', '0', ...agentOff, ...args]
  const child = spawn(file, argv, {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const logs: LogLine[] = []
  const tail = new LineTail()
  let stderr = ''
  const waiters = new Set<{ match: (l: LogLine) => boolean, resolve: (l: LogLine) => void }>()
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    for (const line of tail.push(chunk)) {
      let parsed: LogLine
      try { parsed = JSON.parse(line) as LogLine } catch { parsed = { level: 'raw', msg: line } }
      logs.push(parsed)
      for (const w of waiters) if (w.match(parsed)) { waiters.delete(w); w.resolve(parsed) }
    }
  })
  child.stderr?.setEncoding('utf8').on('data', (c: string) => { stderr += c })
  const end = gone(child)
  const exited = end.then((e) => e.code)
  t.teardown(async () => { await killAndWait(child, end) })

  const wait = async (match: (l: LogLine) => boolean, bound: Bound, what: string): Promise<LogLine> => {
    const seen = logs.find(match)
    if (seen !== undefined) return seen
    const fail = (reason: string): Error => startupFailure({ what, reason, bound, pid: child.pid, stdout: tail.lines(), stderr })
    return await new Promise<LogLine>((resolve, reject) => {
      const w = { match, resolve: (l: LogLine) => { clearTimeout(timer); resolve(l) } }
      const timer = setTimeout(() => { waiters.delete(w); reject(fail(`timed out after ${bound.ms} ms`)) }, bound.ms)
      waiters.add(w)
      end.then(async (e) => {
        if (!waiters.has(w)) return
        await drained(child)
        if (waiters.delete(w)) { clearTimeout(timer); reject(fail(exitReason(e.code, e.signal, e.spawnError))) }
      }, () => {})
    })
  }
  const waitForLog = async (match: (l: LogLine) => boolean, timeoutMs: number, what: string): Promise<LogLine> =>
    await wait(match, fixedBound(timeoutMs), `log: ${what}`)
  let listening: LogLine
  try {
    listening = await wait((l) => l.event === 'listening', toBound(o.bound ?? startupBound()), 'log: HTTP listening')
  } catch (err) {
    // a start that failed leaves nothing running, whether or not the test's teardown comes
    await killAndWait(child, end)
    throw err
  }
  const port = listening.port as number
  return { child, port, url: `http://127.0.0.1:${port}`, logs, stderr: () => stderr, exited, waitForLog }
}

/** Runs the CLI to completion (for --help, --check-config, bad config). */
export async function runCli (args: string[], env: Record<string, string> = {}): Promise<{ code: number | null, stdout: string, stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (c: string) => { stdout += c })
  child.stderr.setEncoding('utf8').on('data', (c: string) => { stderr += c })
  // 'close', not 'exit': the process can exit before its last output has been read from the pipes
  const [code] = await once(child, 'close') as [number | null]
  return { code, stdout, stderr }
}

/** `n` EMQX doubles (v5, nodes emqx1@127.0.0.1 ...), each with its own sidecar polling it every `pollMs`. */
export async function startNodes (t: Test, n: number, pollMs: number): Promise<{ sims: EmqxDouble[], sidecars: SidecarProcess[] }> {
  const sims: EmqxDouble[] = []
  const sidecars: SidecarProcess[] = []
  for (let i = 1; i <= n; i++) {
    const sim = await startDouble(t, { profile: 'v5', nodeName: `emqx${i}@127.0.0.1` })
    sims.push(sim)
    sidecars.push(await startSidecar(t, ['--emqx-url', sim.url, '--poll-interval', `${pollMs}ms`, '--shutdown-delay', '0s']))
  }
  return { sims, sidecars }
}
