/**
 * The shipped HAProxy configs, cut down to one server for the end-to-end bench: only addresses, ports
 * and paths change. (src/demo/haproxy-config.ts maps every server line; one EMQX node is enough to
 * time a flip.) Running HAProxy and reading its runtime API is src/demo/haproxy.ts.
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
