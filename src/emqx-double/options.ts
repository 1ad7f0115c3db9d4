import type { SimProfile } from './profiles.js'

/** How to start an EmqxDouble: which EMQX it plays, its credentials, where it listens and how fast its clock runs. */
export interface SimOptions {
  readonly profile?: SimProfile
  readonly nodeName?: string
  /** API key / AppID; default `admin` like 4.4's default app */
  readonly username?: string
  readonly password?: string
  /** 4.4's dashboard user (its own login on the dashboard listener); default admin/public like 4.4 */
  readonly dashboardUser?: { readonly username: string, readonly password: string }
  readonly host?: string
  readonly port?: number
  /** 4.4: port of the dashboard listener (18083 on the real thing); default: any free one */
  readonly dashboardPort?: number
  readonly connections?: number
  /** disconnected durable sessions (5.8+; cluster-wide, never evicted); default: the profile's (5 for v5.8, else 0) */
  readonly durableSessions?: number
  /**
   * `durable_sessions.enable` (emqx_persistent_message:is_persistence_enabled/0): the Prometheus exposition has the
   * `emqx_ds_*` families iff on, and off the bookkeeper counts no durable session (durableSessions is then 0);
   * default: on iff there are durable sessions, so on with none is this set to true
   */
  readonly durableSessionsEnabled?: boolean
  /**
   * The API key's scopes (EMQX 6.0.3+, 6.1.2+); absent: no scopes configured, every route allowed. Without
   * `cluster_operations` the load_rebalance routes but availability_check answer 403 UNAUTHORIZED_ROLE;
   * without `monitoring`, /api/v5/metrics and (behind basic auth) /api/v5/prometheus/stats do.
   */
  readonly scopes?: readonly string[]
  /** the other nodes of the simulated cluster (default one: emqx2@127.0.0.1); the node sees them all running until cut off */
  readonly clusterPeers?: readonly string[]
  /** this node's role (default core); the peers are cores */
  readonly role?: 'core' | 'replicant'
  /** `prometheus.enable_basic_auth`: the Prometheus endpoint needs the API key; default the profile's (true from 6.3) */
  readonly prometheusBasicAuth?: boolean
  /** serve HTTPS with this key and certificate (PEM), like EMQX's dashboard listener on 18084 */
  readonly tls?: { readonly key: string, readonly cert: string }
  /** where the `redirect` fault points (another host, to prove no credentials follow) */
  readonly redirectTo?: string
  /**
   * How fast simulated time runs against the real clock (evacuation phases and evictions): 1 is real
   * time, 10 makes a 10 s wait_health_check take 1 s. 0 stops the clock: only advance() moves it.
   */
  readonly timeScale?: number
}
