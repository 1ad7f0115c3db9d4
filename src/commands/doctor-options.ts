import { serveOptions } from '../config/options.js'
import { AGENT_DRAIN_WORDS } from '../config/serve-listener-options.js'
import { optionTable } from '../config/table.js'

/** serve's default for `flag`: the doctor checks against what the sidecar itself would run with, never a copy. */
function serveDefault (flag: string): string {
  const value = serveOptions.find((o) => o.flag === flag)?.default
  if (value === undefined) throw new Error(`serve has no default for --${flag}`)
  return value
}

/**
 * Options of `emqx-lb-sidecar doctor`: the settings a drain needs, which the configs are checked against.
 * The sidecar's own settings default to serve's defaults (and read the same SIDECAR_* variables);
 * a Kubernetes manifest's SIDECAR_* env wins over a default, an explicit flag over both.
 */
export const doctorOptions = optionTable([
  {
    flag: 'wait-health-check',
    kind: 'duration',
    default: serveDefault('wait-health-check'),
    min: 0,
    help: 'EMQX\'s wait_health_check for rebalances and evacuations: every load balancer must have stopped sending new clients ' +
      'within it',
  },
  {
    flag: 'mqtt-keepalive',
    kind: 'duration',
    default: '60s',
    min: 1000,
    help: 'the longest MQTT keepalive your clients use: idle timeouts must exceed 1.5 x it (MQTT 3.1.1 section 3.1.2.10)',
  },
  {
    flag: 'evacuation-timeout',
    kind: 'duration',
    default: serveDefault('evacuation-timeout'),
    min: 1000,
    help: 'the sidecar\'s --evacuation-timeout: a preStop evacuation lasts up to this long',
  },
  { flag: 'shutdown-delay', kind: 'duration', default: serveDefault('shutdown-delay'), min: 0, help: 'the sidecar\'s --shutdown-delay' },
  {
    flag: 'evacuation-wait-takeover',
    kind: 'duration',
    default: serveDefault('evacuation-wait-takeover'),
    min: 0,
    help: 'EMQX\'s wait_takeover: part of a drain\'s length, which nginx\'s worker_shutdown_timeout must exceed',
  },
  { flag: 'poll-interval', kind: 'duration', default: serveDefault('poll-interval'), min: 50, help: 'the sidecar\'s --poll-interval' },
  { flag: 'port', kind: 'port', default: serveDefault('port'), help: 'the sidecar\'s HTTP port (--port), where HTTP checks belong' },
  { flag: 'agent-port', kind: 'port', default: serveDefault('agent-port'), help: 'the sidecar\'s agent-check port (--agent-port)' },
  {
    flag: 'agent-drain-word',
    kind: { enum: AGENT_DRAIN_WORDS },
    default: serveDefault('agent-drain-word'),
    help: 'the sidecar\'s --agent-drain-word: with drain, HAProxy still sends a drained node the clients a stick table remembers',
  },
  {
    flag: 'json',
    kind: 'bool',
    default: 'false',
    help: 'print {"findings":[{file, line, severity, code, message, fix}]} instead of a table',
  },
  {
    flag: 'sidecar',
    kind: 'url',
    help: 'also read a running sidecar\'s /status (e.g. http://10.0.0.1:9183): each checker it has seen, its interval and fall ' +
      'against the wait',
  },
  { flag: 'timeout', kind: 'duration', default: '3s', min: 10, help: 'with --sidecar: give up after this long' },
])
