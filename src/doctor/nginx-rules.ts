import { readFileSync } from 'node:fs'
import { NGINX_SYNC_MARK } from '../nginx/render.js'
import { finding, type Finding } from './finding.js'
import { MQTT_PORTS } from './haproxy-model.js'
import { nginxTime, parseNginx, walk, type Directive } from './nginx-parse.js'
import { minIdleMs, showMs, type DoctorSettings } from './settings.js'

const children = (d: Directive | undefined, name: string): Directive[] => (d?.block ?? []).filter((c) => c.name === name)

function writtenByNginxSync (file: string): boolean {
  try { return readFileSync(file, 'utf8').includes(NGINX_SYNC_MARK) } catch { return false }
}

const portOf = (address: string | undefined): number => Number(/:(\d+)$/.exec(address ?? '')?.[1] ?? /^(\d+)$/.exec(address ?? '')?.[1])

/** Findings for one nginx config and what it includes. */
export function nginxFindings (file: string, text: string, s: DoctorSettings): Finding[] {
  const tree = parseNginx(file, text)
  const out: Finding[] = []
  for (const { d, parents } of walk(tree)) {
    if (d.name === 'stream' && parents.length === 0) out.push(...streamFindings(d, s))
    if (d.name === 'worker_shutdown_timeout' && parents.length === 0) out.push(...workerShutdown(d, s))
  }
  return out
}

function streamFindings (stream: Directive, s: DoctorSettings): Finding[] {
  const out: Finding[] = []
  const upstreams = new Map(children(stream, 'upstream').map((u) => [u.args[0] ?? '', u]))
  const unknown = children(stream, 'include').some((i) => i.resolved !== true)
  const njsVars = new Set(children(stream, 'js_set').map((j) => j.args[0]))
  for (const server of children(stream, 'server')) {
    const pass = children(server, 'proxy_pass').at(-1)
    const target = pass?.args[0] ?? ''
    const upstream = upstreams.get(target)
    const mqtt = children(server, 'listen').some((l) => MQTT_PORTS.has(portOf(l.args[0]))) || njsVars.has(target) ||
      (upstream !== undefined && children(upstream, 'server').some((v) => MQTT_PORTS.has(portOf(v.args[0]))))
    if (!mqtt) continue
    if (upstream !== undefined && !wired(upstream, stream)) {
      out.push(finding('NGINX_NO_SIDECAR', upstream.file, upstream.line, `upstream ${target} is static and open-source nginx never ` +
        'checks it: at the next evacuation nginx keeps sending the draining node new clients, which EMQX refuses', 'include the upstream ' +
        '`emqx-lb-sidecar nginx-sync --output` writes (include /etc/nginx/emqx-upstream.conf;), or route by njs with ' +
        '`nginx-sync --njs-state` (nginx/emqx-stream-njs.conf)'))
    }
    const timeout = children(server, 'proxy_timeout').at(-1) ?? children(stream, 'proxy_timeout').at(-1)
    const value = nginxTime(timeout?.args[0])
    if (timeout !== undefined && value !== undefined && value < minIdleMs(s)) {
      out.push(finding('NGINX_PROXY_TIMEOUT', timeout.file, timeout.line, `proxy_timeout ${timeout.args[0] ?? ''} is shorter than 1.5 x ` +
        `the MQTT keepalive (${showMs(s.mqttKeepaliveMs)}): nginx cuts idle clients that are still within their keepalive, and ` +
        'they reconnect',
      'proxy_timeout 350s;'))
    }
  }
  if (njsVars.size > 0 && !unknown) {
    for (const v of children(stream, 'js_var').filter((j) => j.args[0] === '$emqx_lb_fallback')) {
      if (!upstreams.has(v.args[1] ?? '')) {
        out.push(finding('NGINX_NJS_FALLBACK', v.file, v.line, `$emqx_lb_fallback names ${v.args[1] ?? 'nothing'}, which is no upstream ` +
          'of this stream block: while the state file is missing or unreadable (nginx-sync not yet started), every new connection fails',
        'js_var $emqx_lb_fallback emqx_mqtt_all;   (an upstream with every node, as in nginx/emqx-stream-njs.conf)'))
      }
    }
  }
  return out
}

/**
 * An upstream nginx-sync writes, or one that a check module (`check`) or NGINX Plus probes: one `health_check`
 * in any server proxying to the group checks the whole group.
 */
function wired (upstream: Directive, stream: Directive): boolean {
  const name = upstream.args[0]
  return writtenByNginxSync(upstream.file) || children(upstream, 'check').length > 0 ||
    children(stream, 'server').some((v) => children(v, 'proxy_pass').some((p) => p.args[0] === name) &&
      children(v, 'health_check').length > 0)
}

/** After a reload, old workers close every connection they still hold when worker_shutdown_timeout expires. */
function workerShutdown (d: Directive, s: DoctorSettings): Finding[] {
  const value = nginxTime(d.args[0])
  const drain = s.waitHealthCheckMs + s.waitTakeoverMs
  if (value === undefined || value >= drain) return []
  return [finding('NGINX_WORKER_SHUTDOWN_TIMEOUT', d.file, d.line, `worker_shutdown_timeout ${d.args[0] ?? ''} is shorter than a drain ` +
    `(wait_health_check ${showMs(s.waitHealthCheckMs)} + wait_takeover ${showMs(s.waitTakeoverMs)} + eviction): after the reload that ` +
    'drains a node, the old workers cut every client the donor still has at once, and those on the other nodes too',
  'worker_shutdown_timeout 10m;')]
}
