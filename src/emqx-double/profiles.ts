/**
 * The EMQX versions the simulator can play (docs/emqx-compatibility.md has the matrix and the EMQX
 * source files behind each trait): where the API lives, which calls need credentials, and what an
 * evacuation start body may hold.
 */
/** The EMQX versions the simulator can play: the values of `simulate --profile` (commands/simulate-options.ts). */
export const SIM_PROFILES = ['v5', 'v5.8', 'v6.3', 'v5.3', 'v5.0.4', 'v4.4', 'v4.4.24', 'oss', 'oss-v4.4'] as const
export type SimProfile = (typeof SIM_PROFILES)[number]

/**
 * How `POST .../evacuation/start` reads its body: `v4` numbers, wait_takeover > 0, an unknown param
 * (wait_health_check included) refused (errors in-body); `v4.4.24` the same with wait_health_check;
 * `e5.0.4` no wait_health_check, unknown fields and a string wait_takeover are a 400; `e5.1.0` the same
 * with wait_health_check; `v5` (e5.1.1+) durations as integers or `"10s"`, unknown fields a 400 too.
 */
export type StartBodyRules = 'v4' | 'v4.4.24' | 'e5.0.4' | 'e5.1.0' | 'v5'

export interface ProfileTraits {
  /** API generation in paths: /api/v5/... or /api/v4/... */
  readonly api: 'v4' | 'v5'
  /** availability_check requires Basic auth (5.0.4-5.3, 4.4.12-4.4.23) */
  readonly availabilityNeedsAuth: boolean
  /** false: open-source, /api/v{4,5}/load_rebalance/* do not exist */
  readonly hasRebalance: boolean
  /**
   * availability_check reads `local_status/0` (e5.1-5.3), not the eviction agent (e5.0.4, 5.4+, 4.4): during a
   * purge it answers 500 on every node but the coordinator (node-model.ts purgeCrashes)
   */
  readonly availabilityFromLocalStatus: boolean
  /** an evacuation starts in waiting_health_check (503 while still accepting connections): 5.1+, 4.4.24+ */
  readonly waitsHealthCheck: boolean
  readonly startBody: StartBodyRules
  /** 4.4: a second listener, the dashboard (18083), serves /api/v4 with dashboard-user login and no /status */
  readonly dashboard: boolean
  /** 4.4's minirest checks login before routing: without credentials even a missing path is 401 */
  readonly authBeforeRouting: boolean
  /** default port of the real thing */
  readonly defaultPort: number
  /** `GET /api/v5/cluster/topology` exists (e5.1.1+, open-source 5.2.0+); 404 before, and on 4.4 */
  readonly hasTopology: boolean
  /** 5.8+: disconnected durable sessions the node counts and eviction cannot move, unless SimOptions say otherwise */
  readonly durableSessions: number
  /**
   * `GET /api/v5/prometheus/stats` (docs/emqx-compatibility.md, "Arrivals"): whether its exposition has
   * `emqx_client_connect` (from e5.2.0, emqx_prometheus.erl); what exactly `accept: application/json` gets
   * (`json`: EMQX's JSON format, e5.x-6.2, emqx_prometheus_api.erl `response_type/1`; `refused`: 400 "only
   * prometheus format is supported", 6.3+ `validate_not_json/2`); whether `prometheus.enable_basic_auth`
   * defaults to true (6.3+, breaking change 17437; false before, from its introduction in 5.4).
   */
  readonly prometheus: { readonly connectCounter: boolean, readonly json: 'json' | 'refused', readonly basicAuth: boolean }
  /** `GET /api/v5/metrics?node=` honoured (5.8.2+); before, the parameter is dropped and every running node is returned */
  readonly metricsNodeParam: boolean
}

const V5 = {
  api: 'v5',
  hasRebalance: true,
  dashboard: false,
  authBeforeRouting: false,
  defaultPort: 18083,
  durableSessions: 0,
  availabilityFromLocalStatus: false,
  hasTopology: true,
  prometheus: { connectCounter: true, json: 'json', basicAuth: false },
  metricsNodeParam: false,
} as const
/** e5.0.4-e5.1.x: an exposition without emqx_client_connect (it appears at e5.2.0) */
const NO_CONNECT_COUNTER = { connectCounter: false, json: 'json', basicAuth: false } as const
const V4 = {
  api: 'v4',
  hasRebalance: true,
  waitsHealthCheck: false,
  startBody: 'v4',
  dashboard: true,
  authBeforeRouting: true,
  defaultPort: 8081,
  durableSessions: 0,
  availabilityFromLocalStatus: false,
  hasTopology: false,
  prometheus: NO_CONNECT_COUNTER,
  metricsNodeParam: false,
} as const

export const PROFILES: Readonly<Record<SimProfile, ProfileTraits>> = {
  /** 5.4+ and 6.x before 6.3: availability_check public; /api/v5/metrics drops `?node=` (as before 5.8.2) */
  v5: { ...V5, availabilityNeedsAuth: false, waitsHealthCheck: true, startBody: 'v5' },
  /** 5.8+ with durable sessions: 5 disconnected ones in storage, counted in every session count, never evicted */
  'v5.8': { ...V5, availabilityNeedsAuth: false, waitsHealthCheck: true, startBody: 'v5', durableSessions: 5, metricsNodeParam: true },
  /** 6.3 (master): the Prometheus endpoint behind basic auth by default (scope `monitoring`), JSON refused with 400 */
  'v6.3': {
    ...V5,
    availabilityNeedsAuth: false,
    waitsHealthCheck: true,
    startBody: 'v5',
    metricsNodeParam: true,
    prometheus: { connectCounter: true, json: 'refused', basicAuth: true },
  },
  /** e5.1.0-5.3.x: waiting_health_check exists; the strictest of the line (e5.1.0: its start body, no topology, no emqx_client_connect) */
  'v5.3': {
    ...V5,
    availabilityNeedsAuth: true,
    waitsHealthCheck: true,
    startBody: 'e5.1.0',
    availabilityFromLocalStatus: true,
    hasTopology: false,
    prometheus: NO_CONNECT_COUNTER,
  },
  /** e5.0.4: evicts at once, no wait_health_check field, no cluster topology, no emqx_client_connect */
  'v5.0.4': {
    ...V5, availabilityNeedsAuth: true, waitsHealthCheck: false, startBody: 'e5.0.4', hasTopology: false, prometheus: NO_CONNECT_COUNTER,
  },
  'v4.4': { ...V4, availabilityNeedsAuth: true },
  /** 4.4.24+: public availability_check; the wait phase its release notes speak of; wait_health_check > 0 (validate_pos_int) */
  'v4.4.24': { ...V4, availabilityNeedsAuth: false, waitsHealthCheck: true, startBody: 'v4.4.24' },
  /** open-source 5.x before the unified 5.9 line (the topology came with 5.2.0: the strictest, none) */
  oss: { ...V5, availabilityNeedsAuth: false, hasRebalance: false, waitsHealthCheck: false, startBody: 'v5', hasTopology: false },
  /** open-source 4.4: no rebalance API, but 401 before 404 without credentials */
  'oss-v4.4': { ...V4, availabilityNeedsAuth: true, hasRebalance: false },
}
