/**
 * Turns a shipped HAProxy config (../../haproxy/*.cfg) into one that runs on this machine's loopback:
 * only addresses, ports and file paths change, so the demo and the end-to-end tests run the very file
 * users copy. Pure; throws when the file does not have the shape it expects.
 */
export interface LocalHaproxy {
  /** port of every `bind` line (bound to 127.0.0.1) */
  readonly listenPort: number
  readonly statsSocket: string
  /**
   * one per `server` line, in order: its MQTT port and its check port (`agent-port N` or `port N`). `backup`
   * lines (the opt-in fail-open) take the same targets again, in order, and keep their L4-only check.
   */
  readonly servers: ReadonlyArray<{ readonly mqttPort: number, readonly checkPort: number }>
  /** replaces the path after `crt` on bind lines */
  readonly certFile?: string
}

const BIND = /^(\s*bind\s+)\S*:\d+(.*)$/
const STATS = /^(\s*stats socket\s+)\S+(.*)$/
const SERVER = /^(\s*server\s+\S+\s+)\S+:\d+(.*)$/
const CHECK_PORT = /\b(agent-port|port)\s+\d+/

export function localizeHaproxyConfig (text: string, local: LocalHaproxy): string {
  let servers = 0
  let backups = 0
  let binds = 0
  const out = text.split('\n').map((line) => {
    if (/^\s*#/.test(line)) return line
    let m = BIND.exec(line)
    if (m !== null) {
      binds++
      let rest = m[2] ?? ''
      if (local.certFile !== undefined) rest = rest.replace(/\bcrt\s+\S+/, `crt ${local.certFile}`)
      return `${m[1] ?? ''}127.0.0.1:${local.listenPort}${rest}`
    }
    m = STATS.exec(line)
    if (m !== null) return `${m[1] ?? ''}${local.statsSocket}${m[2] ?? ''}`
    m = SERVER.exec(line)
    if (m !== null && /\sbackup\b/.test(m[2] ?? '')) {
      const target = local.servers[backups++]
      if (target === undefined) throw new Error(`the config has more backup lines than the ${local.servers.length} targets given`)
      return `${m[1] ?? ''}127.0.0.1:${target.mqttPort}${m[2] ?? ''}`
    }
    if (m !== null) {
      const target = local.servers[servers++]
      if (target === undefined) throw new Error(`the config has more server lines than the ${local.servers.length} targets given`)
      const rest = m[2] ?? ''
      if (!CHECK_PORT.test(rest)) throw new Error(`server line has no agent-port/port to point at the sidecar: ${line.trim()}`)
      return `${m[1] ?? ''}127.0.0.1:${target.mqttPort}${rest.replace(CHECK_PORT, `$1 ${target.checkPort}`)}`
    }
    return line
  })
  if (servers !== local.servers.length) throw new Error(`the config has ${servers} server lines, ${local.servers.length} targets given`)
  if (binds === 0) throw new Error('the config has no bind line')
  return out.join('\n')
}
