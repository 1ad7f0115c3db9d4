import { commonOptions, optionTable } from '../config/table.js'
import { SIM_PROFILES } from '../emqx-double/profiles.js'

/** Options of `emqx-lb-sidecar simulate`: one simulated EMQX node's HTTP API (src/emqx-double). Variables SIDECAR_SIM_*. */
export const simulateOptions = optionTable([
  {
    flag: 'profile',
    env: 'SIDECAR_SIM_PROFILE',
    kind: { enum: SIM_PROFILES },
    default: 'v5',
    help: 'EMQX version to play (docs/emqx-compatibility.md): v5 (5.4+ and 6.x), v5.8 (v5 with 5 durable sessions eviction cannot ' +
      'move), v6.3 (the Prometheus endpoint behind basic auth, JSON refused), v5.3 (5.1-5.3: availability needs auth), v5.0.4 ' +
      '(no wait_health_check, evicts at once), v4.4 (4.4.12-4.4.23: management API on --port, dashboard on --dashboard-port), ' +
      'v4.4.24 (public availability_check, takes wait_health_check > 0), oss (open-source 5.x), oss-v4.4',
  },
  { flag: 'host', env: 'SIDECAR_SIM_HOST', kind: 'address', default: '127.0.0.1', help: 'address to listen on' },
  {
    flag: 'port',
    env: 'SIDECAR_SIM_PORT',
    kind: 'port',
    default: '18083',
    help: 'port of the API (EMQX 5.x uses 18083, 4.4 its management API on 8081); 0 picks a free one',
  },
  {
    flag: 'dashboard-port',
    env: 'SIDECAR_SIM_DASHBOARD_PORT',
    kind: 'port',
    default: '0',
    help: '4.4 profiles: port of the dashboard listener (18083 on EMQX 4.4: /api/v4 with dashboard-user login, no /status); 0 picks a ' +
      'free one',
  },
  { flag: 'node-name', env: 'SIDECAR_SIM_NODE_NAME', kind: 'string', default: 'emqx@127.0.0.1', help: 'Erlang node name the node reports' },
  {
    flag: 'username',
    env: 'SIDECAR_SIM_USERNAME',
    kind: 'string',
    default: 'admin',
    help: 'API key (5.x) / AppID (4.4) the simulated API accepts',
  },
  {
    flag: 'password',
    env: 'SIDECAR_SIM_PASSWORD',
    kind: 'secret',
    fileVariant: true,
    default: 'public',
    help: 'API secret / AppSecret the simulated API accepts',
  },
  {
    flag: 'connections',
    env: 'SIDECAR_SIM_CONNECTIONS',
    kind: 'int',
    default: '0',
    min: 0,
    help: 'connection count reported in rebalance status',
  },
  {
    flag: 'cluster-peers',
    env: 'SIDECAR_SIM_CLUSTER_PEERS',
    kind: 'string',
    default: 'emqx2@127.0.0.1',
    help: 'comma-separated names of the other nodes of the simulated cluster, seen running until POST /_sim/cut-off or /_sim/lose-peer ' +
      '(GET /api/v5/cluster, 4.4\'s /api/v4/nodes); empty: a cluster of one',
  },
  {
    flag: 'role',
    env: 'SIDECAR_SIM_ROLE',
    kind: { enum: ['core', 'replicant'] },
    default: 'core',
    help: 'this node\'s role (the peers are cores): a replicant cut off sees no core, and its topology is empty (e5.1.1+)',
  },
  ...commonOptions,
])
