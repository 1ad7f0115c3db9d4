import { finding, type Finding } from './finding.js'
import { MQTT_PORTS, backendsOf, chainOf, flag, lookup, opt, type Backend, type Server } from './haproxy-model.js'
import { haproxyTime, parseHaproxy, type Section } from './haproxy-parse.js'
import { minIdleMs, showMs, type DoctorSettings } from './settings.js'
import { PROBE_PATHS, agentDrainKeepsStickyClients, agentDrainWords } from './sidecar-facts.js'

/** The default-server line of the recommended config (haproxy/haproxy-agent.cfg), with the sidecar's agent port. */
const agentLine = (s: DoctorSettings): string =>
  `default-server check inter 2s fall 3 rise 2 agent-check agent-port ${s.agentPort} agent-inter 1s`

const SEND_LINE = 'http-check send meth GET uri /availability ver HTTP/1.1 hdr Host emqx-lb-sidecar'

/** HAProxy's defaults: inter 2s, fall 3, agent-inter 2s (configuration.txt, "5.2. Server and default-server options"). */
const ms = (text: string | undefined, fallback: number): number => haproxyTime(text) ?? fallback

/** Findings for one haproxy.cfg. */
export function haproxyFindings (file: string, text: string, s: DoctorSettings): Finding[] {
  const sections = parseHaproxy(file, text)
  const out: Finding[] = []
  const backends = backendsOf(sections)
  const known = backends.filter((b) => isEmqxBackend(b, s))
  // MQTT on other ports, and no sign of the sidecar: then every TCP backend is taken for EMQX's
  const tcp = (b: Backend): boolean => (b.directive((w) => w[0] === 'mode')?.words[1] ?? 'tcp') === 'tcp'
  const emqx = known.length > 0 ? known : backends.filter((b) => b.servers.length > 0 && tcp(b))
  for (const b of emqx) {
    for (const server of b.servers) {
      if (flag(server, 'backup') === undefined) out.push(...serverFindings(file, b, server, s))
    }
    out.push(...stickiness(file, b, s), ...idleTimeouts(file, sections, b, s))
  }
  return out
}

function isEmqxBackend (b: Backend, s: DoctorSettings): boolean {
  return b.servers.some((v) => (v.port !== undefined && MQTT_PORTS.has(v.port)) || flag(v, 'agent-check') !== undefined ||
    Number(opt(v, 'port')?.value) === s.sidecarPort)
}

function serverFindings (file: string, b: Backend, v: Server, s: DoctorSettings): Finding[] {
  const check = flag(v, 'check')
  const agent = flag(v, 'agent-check')
  if (check === undefined && agent === undefined) {
    return [finding('HAPROXY_NO_CHECK', file, v.line, `server ${v.name} is never checked: at the next evacuation HAProxy keeps sending ` +
      'it new clients while EMQX evicts them (and a dead node is never taken out)', agentLine(s))]
  }
  const out: Finding[] = []
  const down = opt(v, 'on-marked-down')
  if (down?.value === 'shutdown-sessions') {
    out.push(finding('HAPROXY_SHUTDOWN_SESSIONS', file, down.line, `on-marked-down shutdown-sessions: when server ${v.name} goes DOWN ` +
      `(${b.checkType?.value === 'httpchk' ? 'a drain\'s 503' : 'an agent `down`, e.g. EMQX unreachable'}), HAProxy cuts every one ` +
      'of its clients at once, the reconnect storm EMQX\'s rate-limited eviction exists to avoid',
    'delete `on-marked-down shutdown-sessions` (EMQX evicts a drained node\'s clients itself, at conn_evict_rate)'))
  }
  if (agent !== undefined) {
    const port = opt(v, 'agent-port')
    if (port !== undefined && Number(port.value) !== s.agentPort) {
      out.push(finding('HAPROXY_AGENT_PORT', file, port.line, `agent-port ${port.value} of server ${v.name} is not the sidecar's agent ` +
        `port ${s.agentPort}: HAProxy ignores an agent it cannot reach, so the drain is never seen`,
      `agent-port ${s.agentPort}   (or run doctor with --agent-port ${port.value} if the sidecar listens there)`))
    }
    const inter = opt(v, 'agent-inter') ?? opt(v, 'inter')
    const seen = ms(inter?.value, 2000) + s.pollIntervalMs
    if (seen > s.waitHealthCheckMs) out.push(slow(file, inter?.line ?? v.line, v, seen, s, 'agent-inter 1s'))
    return out
  }
  const http = b.checkType?.value === 'httpchk'
  const checkPort = Number(opt(v, 'port')?.value ?? v.port)
  if (!http || checkPort === v.port) {
    out.push(finding('HAPROXY_CHECK_ON_MQTT_PORT', file, check?.line ?? v.line, http
      ? `server ${v.name}'s HTTP check goes to its MQTT port ${v.port ?? ''}, which never answers HTTP: the check fails, and ` +
        'it never asks the sidecar whether EMQX drains the node'
      : `server ${v.name}'s check only connects to port ${Number.isNaN(checkPort) ? 'of the server' : checkPort}, which keeps ` +
        'accepting while EMQX drains the node: HAProxy never sees the drain and keeps sending it new clients through the whole evacuation',
    agentLine(s)))
    return out
  }
  if (checkPort !== s.sidecarPort) {
    out.push(finding('HAPROXY_CHECK_NOT_SIDECAR', file, opt(v, 'port')?.line ?? v.line, `server ${v.name}'s HTTP check goes to port ` +
      `${checkPort}, not the sidecar's ${s.sidecarPort}: if that is EMQX's own API, every HAProxy asks EMQX itself, with its ` +
      'credentials in haproxy.cfg, and the sidecar cannot tell when the load balancer has seen a drain',
    `port ${s.sidecarPort}   (on the server or default-server line; or run doctor with --port ${checkPort} if the sidecar listens there)`))
  }
  out.push(...httpCheck(file, b, s))
  const inter = opt(v, 'inter')
  const fall = opt(v, 'fall')
  const fast = opt(v, 'fastinter')
  const interMs = ms(inter?.value, 2000)
  const seen = interMs + (Math.max(1, Number(fall?.value ?? 3)) - 1) * ms(fast?.value, interMs) + s.pollIntervalMs
  if (seen > s.waitHealthCheckMs) {
    out.push(slow(file, inter?.line ?? fall?.line ?? v.line, v, seen, s, 'default-server check inter 1s fastinter 500ms fall 2 rise 2'))
  }
  return out
}

function slow (file: string, line: number, v: Server, seenMs: number, s: DoctorSettings, fix: string): Finding {
  return finding('HAPROXY_SLOW_CHECK', file, line, `HAProxy takes up to ${showMs(seenMs)} (the sidecar's poll included) to see a ` +
    `drain of server ${v.name}, more than wait_health_check ${showMs(s.waitHealthCheckMs)}: EMQX starts evicting while HAProxy still ` +
    'sends the node new clients', fix)
}

/** The HTTP check's request: `http-check send ... uri X` (2.2+) or `option httpchk [METH] URI` (older), with its line. */
function httpCheck (file: string, b: Backend, s: DoctorSettings): Finding[] {
  const send = b.directive((w) => w[0] === 'http-check' && w[1] === 'send')
  const option = b.checkType
  const out: Finding[] = []
  let uri = '/'
  let line = option?.line ?? b.section.line
  const sendUri = send?.words[send.words.indexOf('uri') + 1]
  if (send !== undefined && send.words.includes('uri') && sendUri !== undefined) {
    uri = sendUri
    line = send.line
  } else if (option !== undefined) {
    const args = option.words.slice(2)
    const u = args.find((a) => a.startsWith('/'))
    if (u !== undefined) uri = u
  }
  const path = uri.split('?')[0] ?? uri
  if (!PROBE_PATHS.includes(path)) {
    out.push(finding('HAPROXY_CHECK_PATH', file, line, `the HTTP check asks ${path}, which the sidecar does not answer (404): every ` +
      `server of ${b.section.name} is DOWN from the start`, SEND_LINE))
  }
  const withAuth = [send, option].find((l) => l?.words.some((w) => /^authorization(:|$)/i.test(w)) === true)
  if (withAuth !== undefined) {
    out.push(finding('HAPROXY_CHECK_CREDENTIALS', file, withAuth.line, 'the HTTP check sends an Authorization header: the sidecar needs ' +
      'none, and EMQX\'s credentials stay readable in haproxy.cfg', SEND_LINE))
  }
  return out
}

/**
 * Stick tables send a known client back to its server while that server is DRAIN (HAProxy takes "no new
 * traffic except persistent"): an agent that drains with the `drain` word (--agent-drain-word drain) leaves a
 * donor every client it ever had; the default `maint` does not. Measured with HAProxy 2.6; docs/doctor.md.
 * Hash balancing keeps address ranges on one node.
 */
function stickiness (file: string, b: Backend, s: DoctorSettings): Finding[] {
  const out: Finding[] = []
  const agent = b.servers.some((v) => flag(v, 'agent-check') !== undefined)
  const stick = b.section.lines.find((l) => l.words[0] === 'stick' && ['on', 'match', 'store-request'].includes(l.words[1] ?? ''))
  if (stick !== undefined && agent && agentDrainKeepsStickyClients(agentDrainWords(s.agentDrainWord))) {
    out.push(finding('HAPROXY_STICKY_DRAIN', file, stick.line, 'the sidecar\'s agent drains with `drain` (--agent-drain-word drain), and ' +
      'HAProxy still sends a DRAIN server the clients its stick table remembers: at the next evacuation every known client that EMQX ' +
      `evicts reconnects to the same node (backend ${b.section.name})`,
    'run the sidecar with --agent-drain-word maint (its default; haproxy/haproxy-sticky.cfg), or delete the stick lines'))
  }
  const hashed = ['source', 'hdr', 'uri', 'url_param', 'rdp-cookie', 'hash']
  const hash = b.directive((w) => (w[0] === 'balance' && hashed.some((x) => (w[1] ?? '').startsWith(x))) ||
    (w[0] === 'hash-type' && w.includes('consistent')))
  if (hash !== undefined) {
    out.push(finding('HAPROXY_HASH_BALANCE', file, hash.line, `\`${hash.words.join(' ')}\` spreads clients by a hash, not by how many ` +
      'connections each node holds: after a drain the node comes back with its old share of addresses instead of filling up, and ' +
      'one NAT address sends all its clients to one node', 'balance leastconn'))
  }
  return out
}

/**
 * Idle limits shorter than 1.5 x the clients' keepalive cut idle MQTT clients that are within their rights.
 * In TCP mode `timeout tunnel` supersedes client and server once the connection is established.
 */
function idleTimeouts (file: string, sections: readonly Section[], b: Backend, s: DoctorSettings): Finding[] {
  const min = minIdleMs(s)
  const timeout = (name: string) => (w: readonly string[]): boolean => w[0] === 'timeout' && w[1] === name
  const tunnel = b.directive(timeout('tunnel'))
  const lines = tunnel !== undefined ? [tunnel] : [b.directive(timeout('server'))]
  if (tunnel === undefined) {
    const fronts = sections.filter((f) => f === b.section || (f.kind === 'frontend' &&
      f.lines.some((l) => (l.words[0] === 'default_backend' || l.words[0] === 'use_backend') && l.words[1] === b.section.name)))
    for (const f of fronts) lines.push(lookup(chainOf(sections, f), timeout('client')))
  }
  const out: Finding[] = []
  for (const l of lines) {
    const value = haproxyTime(l?.words[2])
    if (l === undefined || value === undefined || value >= min) continue
    out.push(finding('HAPROXY_IDLE_TIMEOUT', file, l.line, `timeout ${l.words[1] ?? ''} ${l.words[2] ?? ''} is shorter than 1.5 x the ` +
      `MQTT keepalive (${showMs(s.mqttKeepaliveMs)}): HAProxy cuts idle clients that are still within their keepalive, and they ` +
      'reconnect', `timeout ${l.words[1] ?? ''} ${showMs(Math.max(min, 600_000))}`))
  }
  return out
}
