import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { connect } from 'node:net'
import { stopChild } from './proc.js'

/**
 * Just enough HAProxy for the end-to-end bench: run a config, read a server's status from the runtime
 * API. The config is one of the shipped files with only addresses, ports and paths changed.
 */
export interface Localize {
  readonly listenPort: number
  readonly statsSocket: string
  readonly mqttPort: number
  /** the sidecar port the server line's `agent-port N` or `port N` points at */
  readonly checkPort: number
}

/** Keeps the first `server` line only (one EMQX node is enough to time a flip) and points it at loopback. */
export function localizeConfig (text: string, l: Localize): string {
  let servers = 0
  const out: string[] = []
  for (const line of text.split('\n')) {
    if (/^\s*#/.test(line)) { out.push(line); continue }
    let m = /^(\s*bind\s+)\S*:\d+(.*)$/.exec(line)
    if (m !== null) { out.push(`${m[1] ?? ''}127.0.0.1:${l.listenPort}${m[2] ?? ''}`); continue }
    m = /^(\s*stats socket\s+)\S+(.*)$/.exec(line)
    if (m !== null) { out.push(`${m[1] ?? ''}${l.statsSocket}${m[2] ?? ''}`); continue }
    m = /^(\s*server\s+\S+\s+)\S+:\d+(.*)$/.exec(line)
    if (m !== null) {
      if (servers++ > 0) continue
      const rest = m[2] ?? ''
      if (!/\b(agent-port|port)\s+\d+/.test(rest)) throw new Error(`server line has no agent-port/port: ${line.trim()}`)
      out.push(`${m[1] ?? ''}127.0.0.1:${l.mqttPort}${rest.replace(/\b(agent-port|port)\s+\d+/, `$1 ${l.checkPort}`)}`)
      continue
    }
    out.push(line)
  }
  if (servers === 0) throw new Error('the config has no server line')
  return out.join('\n')
}

export async function runtimeCommand (socketPath: string, command: string): Promise<string> {
  const sock = connect(socketPath)
  let out = ''
  sock.setEncoding('utf8').on('data', (c: string) => { out += c })
  sock.setTimeout(5000, () => sock.destroy(new Error(`no answer from ${socketPath} to "${command}"`)))
  sock.end(`${command}\n`)
  await once(sock, 'close')
  return out
}

/** The `status` column of the first backend server row of `show stat` (UP, DOWN, DRAIN (agent), "UP 1/2", ...). */
export async function serverStatus (socketPath: string): Promise<string> {
  const lines = (await runtimeCommand(socketPath, 'show stat')).split('\n').filter((l) => l.trim() !== '')
  const header = lines.shift()?.replace(/^# /, '').split(',') ?? []
  const [svname, status, type] = ['svname', 'status', 'type'].map((c) => header.indexOf(c))
  for (const l of lines) {
    const r = l.split(',')
    if (r[type ?? -1] === '2' && r[svname ?? -1] !== 'BACKEND') return r[status ?? -1] ?? ''
  }
  return ''
}

/** A foreground haproxy (-db); resolves once its runtime socket answers. */
export async function startHaproxy (binary: string, configFile: string, socketPath: string): Promise<ChildProcess> {
  const child = spawn(binary, ['-db', '-f', configFile], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr?.setEncoding('utf8').on('data', (c: string) => { stderr += c })
  const deadline = performance.now() + 10_000
  for (;;) {
    try { await runtimeCommand(socketPath, 'show info'); return child } catch {}
    if (child.exitCode !== null || performance.now() > deadline) {
      await stopChild(child)
      throw new Error(`haproxy did not start (its runtime socket never answered):\n${stderr}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}
