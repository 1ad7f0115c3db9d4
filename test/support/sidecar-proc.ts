import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import type { Test } from 'tap'
import { NODE_FLAGS } from '../../src/node-flags.js'
import { startDouble, type EmqxSim } from './emqx-double.js'

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
  /** resolves with the first log line matching, or rejects after timeoutMs */
  waitForLog: (match: (l: LogLine) => boolean, timeoutMs: number, what: string) => Promise<LogLine>
}

/**
 * Runs the built CLI (dist/cli.js with NODE_FLAGS: what `npm start` and the Docker image run) with the
 * given args and env, on port 0 unless told otherwise; resolves once it logs that it listens.
 * The agent-check listener of `serve` is off (`--agent-port 0`) unless the args set a port: its default 9184 would
 * collide between tests running in parallel. Later flags win, so `['--agent-port', String(p)]` turns it on.
 * `command` selects another long-running subcommand (e.g. ['nginx-sync']) with the same listening log.
 */
export async function startSidecar (t: Test, args: string[], env: Record<string, string> = {}, command: string[] = []): Promise<SidecarProcess> {
  const agentOff = command.length === 0 ? ['--agent-port', '0'] : []
  const child = spawn(process.execPath, [...NODE_FLAGS, CLI, ...command, '--host', '127.0.0.1', '--port', '0', ...agentOff, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const logs: LogLine[] = []
  let stderr = ''
  const waiters = new Set<{ match: (l: LogLine) => boolean, resolve: (l: LogLine) => void }>()
  let buf = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buf += chunk
    let nl
    while ((nl = buf.indexOf('\n')) !== -1) {
      const line = buf.slice(0, nl)
      buf = buf.slice(nl + 1)
      let parsed: LogLine
      try { parsed = JSON.parse(line) as LogLine } catch { parsed = { level: 'raw', msg: line } }
      logs.push(parsed)
      for (const w of waiters) if (w.match(parsed)) { waiters.delete(w); w.resolve(parsed) }
    }
  })
  child.stderr?.setEncoding('utf8').on('data', (c: string) => { stderr += c })
  const exited = once(child, 'exit').then(([code]) => code as number | null)
  t.teardown(async () => { if (child.exitCode === null && child.signalCode === null) { child.kill('SIGKILL'); await exited } })

  const waitForLog = async (match: (l: LogLine) => boolean, timeoutMs: number, what: string): Promise<LogLine> => {
    const seen = logs.find(match)
    if (seen !== undefined) return seen
    return await new Promise<LogLine>((resolve, reject) => {
      const w = { match, resolve: (l: LogLine) => { clearTimeout(timer); resolve(l) } }
      const timer = setTimeout(() => { waiters.delete(w); reject(new Error(`timed out after ${timeoutMs}ms waiting for log: ${what}; stderr: ${stderr}`)) }, timeoutMs)
      waiters.add(w)
      void exited.then((code) => { if (waiters.delete(w)) { clearTimeout(timer); reject(new Error(`sidecar exited (${code}) before log: ${what}; stderr: ${stderr}`)) } })
    })
  }
  const listening = await waitForLog((l) => l.event === 'listening', 10_000, 'HTTP listening')
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
  const [code] = await once(child, 'exit') as [number | null]
  return { code, stdout, stderr }
}

/** `n` EMQX doubles (v5, nodes emqx1@127.0.0.1 ...), each with its own sidecar polling it every `pollMs`. */
export async function startNodes (t: Test, n: number, pollMs: number): Promise<{ sims: EmqxSim[], sidecars: SidecarProcess[] }> {
  const sims: EmqxSim[] = []
  const sidecars: SidecarProcess[] = []
  for (let i = 1; i <= n; i++) {
    const sim = await startDouble(t, { profile: 'v5', nodeName: `emqx${i}@127.0.0.1` })
    sims.push(sim)
    sidecars.push(await startSidecar(t, ['--emqx-url', sim.url, '--poll-interval', `${pollMs}ms`, '--shutdown-delay', '0s']))
  }
  return { sims, sidecars }
}
