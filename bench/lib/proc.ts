import { SIDECAR } from './names.js'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { chmodSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { delimiter, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { NODE_FLAGS } from '../../src/node-flags.js'

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

/** Kill and wait: every process the bench starts is stopped by the bench. */
export async function stopChild (child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = once(child, 'exit')
  child.kill(signal)
  await exited
}

/** Resolves with the first stdout line matching, or rejects when the process exits or after timeoutMs. */
export async function waitForLine (child: ChildProcess, match: (line: string) => boolean, timeoutMs: number, what: string): Promise<string> {
  let buf = ''
  let stderr = ''
  child.stderr?.setEncoding('utf8').on('data', (c: string) => { stderr += c })
  return await new Promise((resolve, reject) => {
    const timer = setTimeout(() => { finish(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; stderr: ${stderr}`)) }, timeoutMs)
    const onData = (chunk: string): void => {
      buf += chunk
      let nl
      while ((nl = buf.indexOf('\n')) !== -1) {
        const line = buf.slice(0, nl)
        buf = buf.slice(nl + 1)
        if (match(line)) { finish(undefined, line); return }
      }
    }
    const onExit = (code: number | null): void => { finish(new Error(`${what}: process exited (${String(code)}); stderr: ${stderr}`)) }
    const finish = (err?: Error, line?: string): void => {
      clearTimeout(timer)
      child.stdout?.off('data', onData)
      child.off('exit', onExit)
      // keep draining stdout so a chatty child never blocks on a full pipe
      child.stdout?.resume()
      if (err !== undefined) reject(err); else resolve(line ?? '')
    }
    child.stdout?.setEncoding('utf8').on('data', onData)
    child.once('exit', onExit)
  })
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
}

/** Spawns dist/cli.js on loopback and resolves once it logs that it listens. */
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
  // The agent-check listener (when this build has one) would take its fixed default port: off,
  // through the environment so that builds without the option only warn.
  const child = spawn(cmd, args, { env: { PATH, SIDECAR_AGENT_PORT: '0', ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] })
  const line = await waitForLine(child, (l) => l.includes('"event":"listening"'), 10_000, 'sidecar listening')
  const port = (JSON.parse(line) as { port: number }).port
  return { name: SIDECAR, pid: child.pid ?? -1, port, child, stop: async () => { await stopChild(child) } }
}
