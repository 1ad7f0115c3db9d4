import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { connect } from 'node:net'

/** One backend server as HAProxy's `show stat` reports it. */
export interface ServerStat {
  readonly backend: string
  readonly server: string
  /** UP, DOWN, DRAIN, MAINT, NOLB, or a transition such as "UP 1/2" */
  readonly status: string
  /** current sessions */
  readonly scur: number
  /** total sessions so far */
  readonly stot: number
  readonly checkStatus: string
  readonly agentStatus: string
  /** the effective weight (an agent's `37%` is of the configured weight, integer: weight 100 shows 37) */
  readonly weight: number
}

/** Sends one command to HAProxy's stats socket (runtime API) and returns the whole answer. */
export async function haproxyCommand (socketPath: string, command: string): Promise<string> {
  const sock = connect(socketPath)
  let out = ''
  sock.setEncoding('utf8').on('data', (c: string) => { out += c })
  sock.setTimeout(5000, () => sock.destroy(new Error(`no answer from ${socketPath} to "${command}"`)))
  sock.end(`${command}\n`)
  await once(sock, 'close')
  return out
}

/** `show stat` parsed into the backend server rows (frontends and BACKEND totals left out). */
export function parseShowStat (csv: string): ServerStat[] {
  const lines = csv.split('\n').filter((l) => l.trim() !== '')
  const header = lines.shift()?.replace(/^# /, '').split(',') ?? []
  const col = (row: string[], name: string): string => row[header.indexOf(name)] ?? ''
  const isServer = (r: string[]): boolean => !['FRONTEND', 'BACKEND'].includes(col(r, 'svname')) && col(r, 'type') === '2'
  return lines.map((l) => l.split(',')).filter(isServer).map((r) => ({
    backend: col(r, 'pxname'),
    server: col(r, 'svname'),
    status: col(r, 'status'),
    scur: Number(col(r, 'scur')),
    stot: Number(col(r, 'stot')),
    checkStatus: col(r, 'check_status'),
    agentStatus: col(r, 'agent_status'),
    weight: Number(col(r, 'weight')),
  }))
}

/** HAProxy's admin-state bits (`show servers state`, srv_admin_state): forced maintenance and forced drain. */
export const ADMIN_FMAINT = 0x01
export const ADMIN_FDRAIN = 0x08

/** `show servers state <backend>` -> server name -> srv_admin_state bits. */
export function parseServersState (text: string): Map<string, number> {
  const lines = text.split('\n').filter((l) => l.trim() !== '' && !/^\d+$/.test(l.trim()))
  const header = lines.shift()?.replace(/^# /, '').split(' ') ?? []
  const name = header.indexOf('srv_name')
  const admin = header.indexOf('srv_admin_state')
  return new Map(lines.map((l) => l.split(' ')).map((r) => [r[name] ?? '', Number(r[admin])]))
}

export async function serverStats (socketPath: string): Promise<ServerStat[]> {
  return parseShowStat(await haproxyCommand(socketPath, 'show stat'))
}

/** A foreground haproxy (-db) started from a config file; resolves once its stats socket answers. */
export class Haproxy {
  readonly #child: ChildProcess
  readonly socketPath: string
  readonly exited: Promise<number | null>
  #stderr = ''

  private constructor (child: ChildProcess, socketPath: string) {
    this.#child = child
    this.socketPath = socketPath
    this.exited = once(child, 'exit').then(([code]) => code as number | null)
    child.stderr?.setEncoding('utf8').on('data', (c: string) => { if (this.#stderr.length < 100_000) this.#stderr += c })
  }

  static async start (binary: string, configFile: string, socketPath: string, timeoutMs = 10_000): Promise<Haproxy> {
    const h = new Haproxy(spawn(binary, ['-db', '-f', configFile], { stdio: ['ignore', 'ignore', 'pipe'] }), socketPath)
    let exited = false
    h.exited.then(() => { exited = true })
    const deadline = performance.now() + timeoutMs
    // haproxy has no "ready" line to wait for; its runtime socket answering is the readiness signal
    for (;;) {
      try { await haproxyCommand(socketPath, 'show info'); return h } catch { /* not yet */ }
      if (exited) throw new Error(`haproxy exited before its stats socket answered:\n${h.stderr}`)
      if (performance.now() > deadline) {
        await h.stop()
        throw new Error(`haproxy's stats socket did not answer within ${timeoutMs}ms:\n${h.stderr}`)
      }
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
  }

  get stderr (): string { return this.#stderr }

  async stats (): Promise<ServerStat[]> { return await serverStats(this.socketPath) }

  async adminStates (backend: string): Promise<Map<string, number>> {
    return parseServersState(await haproxyCommand(this.socketPath, `show servers state ${backend}`))
  }

  /** SIGTERM is HAProxy's hard stop: it does not wait for long-lived MQTT sessions to end. */
  async stop (): Promise<void> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGTERM')
    await this.exited
  }
}

/** Checks a config file with `haproxy -c`; resolves with its exit code and output. */
export async function checkHaproxyConfig (binary: string, configFile: string): Promise<{ code: number | null, output: string }> {
  const child = spawn(binary, ['-c', '-f', configFile], { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.setEncoding('utf8').on('data', (c: string) => { output += c })
  child.stderr.setEncoding('utf8').on('data', (c: string) => { output += c })
  const [code] = await once(child, 'exit') as [number | null]
  return { code, output }
}
