import { optionTable } from '../config/table.js'

/** Options of `emqx-lb-sidecar demo` (`npm run demo`). Variables SIDECAR_DEMO_*. */
export const demoOptions = optionTable([
  {
    flag: 'lb-config',
    env: 'SIDECAR_DEMO_LB_CONFIG',
    kind: { enum: ['haproxy-agent.cfg', 'haproxy-httpchk.cfg'] },
    default: 'haproxy-agent.cfg',
    help: 'which shipped HAProxy config to run (from haproxy/)',
  },
  {
    flag: 'mqtt-port',
    env: 'SIDECAR_DEMO_MQTT_PORT',
    kind: 'port',
    default: '0',
    help: 'port HAProxy listens on for MQTT (0: a free one, shown on screen)',
  },
  {
    flag: 'clients',
    env: 'SIDECAR_DEMO_CLIENTS',
    kind: 'int',
    default: '30',
    min: 0,
    max: 5000,
    help: 'MQTT clients the demo keeps connected through HAProxy',
  },
  {
    flag: 'wait-health-check',
    env: 'SIDECAR_DEMO_WAIT_HEALTH_CHECK',
    kind: 'duration',
    default: '5s',
    min: 0,
    help: 'how long a simulated donor/evacuating node waits before it evicts clients',
  },
  {
    flag: 'evict-rate',
    env: 'SIDECAR_DEMO_EVICT_RATE',
    kind: 'int',
    default: '5',
    min: 1,
    max: 1000,
    help: 'clients evicted per second by a simulated donor/evacuating node',
  },
])
