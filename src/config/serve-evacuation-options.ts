import { optionTable } from './table.js'

/** serve's view of load-balancer checkers, of the cluster, and the evacuations it starts (/admin/evacuate, /prestop). */
export const serveEvacuationOptions = optionTable([
  {
    flag: 'wait-health-check',
    kind: 'duration',
    default: '60s',
    min: 0,
    help: 'the wait_health_check EMQX uses for evacuations/rebalances here (whole seconds): checkers too slow to take the node out ' +
      'within it are warned about. /admin/evacuate and /prestop wait at most this long for the load balancers (--evacuation-ack), and ' +
      'send it as is when no checker is seen',
  },
  {
    flag: 'checker-fall',
    kind: 'int',
    default: '3',
    min: 1,
    max: 100,
    help: 'failed HTTP checks a load balancer needs before it takes a node out (HAProxy fall, Kubernetes failureThreshold); the ' +
      'agent-check drain acts at once',
  },
  {
    flag: 'max-checkers',
    kind: 'int',
    default: '256',
    min: 1,
    max: 100000,
    help: 'distinct checkers (source, kind, user agent) remembered; the least recently seen is forgotten first',
  },
  { flag: 'checker-ttl', kind: 'duration', default: '5m', min: 1000, help: 'a checker unseen this long is forgotten' },
  {
    flag: 'checker-metrics-per-source',
    kind: 'bool',
    default: 'false',
    help: 'also export one series per checker source address (bounded by --max-checkers)',
  },
  {
    flag: 'cluster-interval',
    kind: 'duration',
    default: '5s',
    min: 0,
    help: 'how often the cluster views (load_rebalance/global_status; with --expect-cluster-size, this node\'s membership) are read ' +
      'when credentials allow; 0 disables',
  },
  {
    flag: 'expect-cluster-size',
    kind: 'int',
    default: '0',
    min: 0,
    max: 10000,
    help: 'nodes the EMQX cluster should have: the node drains (not_in_cluster) while its own view of running nodes is at most half of ' +
      'this, or while it is a replicant that sees no running core; an unreadable view never drains. Needs credentials; 0 disables',
  },
  {
    flag: 'rebalance-abs-conn-threshold',
    kind: 'int',
    default: '1000',
    min: 0,
    help: 'abs_conn_threshold your rebalances use, for the balance condition shown in /status',
  },
  { flag: 'rebalance-rel-conn-threshold', kind: 'number', default: '1.1', min: 1, help: 'rel_conn_threshold your rebalances use (> 1.0)' },
  { flag: 'rebalance-abs-sess-threshold', kind: 'int', default: '1000', min: 0, help: 'abs_sess_threshold your rebalances use' },
  { flag: 'rebalance-rel-sess-threshold', kind: 'number', default: '1.1', min: 1, help: 'rel_sess_threshold your rebalances use (> 1.0)' },
  {
    flag: 'evacuation-conn-evict-rate',
    kind: 'int',
    default: '500',
    min: 1,
    help: 'connections EMQX disconnects per second during an evacuation',
  },
  {
    flag: 'evacuation-sess-evict-rate',
    kind: 'int',
    default: '500',
    min: 1,
    help: 'sessions EMQX migrates per second during an evacuation',
  },
  {
    flag: 'evacuation-wait-takeover',
    kind: 'duration',
    default: '60s',
    min: 0,
    help: 'how long EMQX waits for evicted clients to reconnect elsewhere before migrating their sessions',
  },
  {
    flag: 'evacuation-redirect-to',
    kind: 'string',
    help: 'server reference sent to evicted MQTT 5 clients (e.g. mqtt.example.com:1883); honoured by EMQX 4.4 only: EMQX 5.x\'s HTTP ' +
      'API accepts and ignores it (only its CLI sets it), and the sidecar warns',
  },
  {
    flag: 'evacuation-migrate-to',
    kind: 'string',
    help: 'comma-separated EMQX node names that receive the remaining sessions (default: EMQX chooses)',
  },
  {
    flag: 'evacuation-stop-on-start',
    kind: 'bool',
    default: 'false',
    help: 'stop an evacuation EMQX resumes after a restart (EMQX persists them), so a restarted pod takes clients again; for ' +
      'evacuate-on-shutdown',
  },
  {
    flag: 'evacuation-ack',
    kind: { enum: ['on', 'off'] },
    default: 'on',
    help: 'on: /admin/evacuate and /prestop drain at once and ask EMQX to evict only once every checker has been told (HTTP: ' +
      '--checker-fall drain answers; agent: one) plus --evacuation-ack-grace, at most --wait-health-check; off: EMQX waits the whole ' +
      'wait_health_check blind',
  },
  {
    flag: 'evacuation-ack-grace',
    kind: 'duration',
    default: '1s',
    min: 0,
    help: 'time a load balancer gets to act on the drain after it has been told, before EMQX evicts (--evacuation-ack on)',
  },
  {
    flag: 'expect-checkers',
    kind: 'int',
    default: '0',
    min: 0,
    max: 100000,
    help: 'load-balancer checkers that must have been seen and told before an evacuation may evict early; with fewer (or none) the ' +
      'whole --wait-health-check is waited',
  },
  {
    flag: 'connect-baseline-interval',
    kind: 'duration',
    default: '15s',
    min: 100,
    help: 'how often EMQX\'s CONNECT counter is read while no drain runs, to know the node\'s usual arrival rate ' +
      '(during a drain it is read every --poll-interval); an evacuation then waits until CONNECTs stop arriving',
  },
  {
    flag: 'evacuation-timeout',
    kind: 'duration',
    default: '5m',
    min: 1000,
    help: 'deadline of an evacuation: /prestop answers when EMQX reports it finished or when this passes',
  },
])
