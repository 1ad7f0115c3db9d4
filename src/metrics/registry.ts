import { type Registry } from 'prom-client'
import { counter, gauge, histogram } from './make.js'
import { CHECKER_KINDS, CHECKER_PROTOCOLS, type CheckerKind } from '../checkers/protocols.js'
import { FAILURE_REASONS } from '../errors.js'
import { NODE_STATES, servedAnswer } from '../state/model.js'
import type { Store } from '../state/store.js'
import { VERSION } from '../version.js'
import { registerOverrideMetrics, type AdminRecorder } from './admin.js'
import type { ClusterConfig } from '../config/serve-types.js'
import type { ArrivalWatch } from '../ack/arrivals.js'
import type { DrainAcknowledgement } from '../ack/drain.js'
import type { CheckerTracker } from '../checkers/tracker.js'
import type { Heartbeat } from '../state/heartbeat.js'
import { registerClusterMetrics } from './cluster.js'
import { registerMembershipMetrics } from './membership.js'
import { registerArrivalMetrics } from './arrivals.js'
import { registerEvacuationAckMetrics } from './evacuation-ack.js'
import { PREFIX } from './names.js'
import { processRegistry } from './process.js'
import { registerCheckerMetrics } from './checkers.js'

/** What the servers call when they answer a probe; counted, never blocking. */
export interface ProbeRecorder {
  /** one probe answered: its protocol (src/checkers/protocols.ts) and the answer's label (one of the entry's `answers`) */
  probe: (protocol: CheckerKind, answer: string) => void
}

export interface Metrics extends ProbeRecorder, AdminRecorder {
  readonly registry: Registry
  /** a connection closed at once because the listener's connection limit was reached */
  connectionDropped: (protocol: CheckerKind) => void
  /** the number of GET /events streams open now */
  eventStreams: (open: number) => void
}

/** Local rebalance/evacuation stats, grouped per unit; label `stat` is the EMQX field name. */
const STAT_GAUGES = [
  [
    'rebalance_connections',
    'Connections on this node per the local rebalance/evacuation status (cached from EMQX): ' +
      'stat=initial_connected|current_connected; absent when not readable.',
    ['initial_connected', 'current_connected'],
  ],
  [
    'rebalance_sessions',
    'Sessions on this node per the local rebalance/evacuation status (cached from EMQX): ' +
      'stat=initial_sessions|current_sessions|current_disconnected_sessions; absent when not readable.',
    ['initial_sessions', 'current_sessions', 'current_disconnected_sessions'],
  ],
] as const

/**
 * The Prometheus registry. Gauges are read from the store at scrape time; counters and the histogram
 * follow store events. Every labelled series is initialised to 0 so rate() works from the first scrape.
 */
export interface MetricsExtras {
  readonly tracker?: CheckerTracker
  readonly drainAck?: DrainAcknowledgement
  readonly perSource?: boolean
  readonly cluster?: ClusterConfig
  readonly heartbeat?: Heartbeat
  /** rebalance donors evicted before every checker was told (src/ack/rebalance-watch.ts) */
  readonly rebalanceAck?: { readonly unacknowledged: number }
  /** EMQX's CONNECT counter while draining (src/ack/arrivals.ts) */
  readonly arrivals?: ArrivalWatch
}

export function createMetrics (store: Store, extras: MetricsExtras = {}): Metrics {
  const registry = processRegistry()

  gauge(registry, { name: `${PREFIX}build_info`, help: 'Build information; always 1.', labelNames: ['version', 'nodejs_version'] })
    .set({ version: VERSION, nodejs_version: process.version }, 1)

  gauge(registry, {
    name: `${PREFIX}state`,
    help: 'Current node state as served to load balancers: 1 for the current state, 0 for the others.',
    labelNames: ['state'],
    collect () { const s = store.current.state; for (const st of NODE_STATES) this.set({ state: st }, st === s ? 1 : 0) },
  })
  gauge(registry, {
    name: `${PREFIX}available`,
    help: '1 when probes answer 200 (node should get new connections), else 0.',
    collect () { this.set(servedAnswer(store.current).available ? 1 : 0) },
  })
  gauge(registry, {
    name: `${PREFIX}state_since_timestamp_seconds`,
    help: 'Unix time of the last state change.',
    collect () { this.set(store.current.since / 1000) },
  })
  gauge(registry, {
    name: `${PREFIX}emqx_up`,
    help: 'Whether the last check got a usable answer from the EMQX API (1) or failed (0).',
    collect () { this.set(store.current.emqxAnswered ? 1 : 0) },
  })
  gauge(registry, {
    name: `${PREFIX}emqx_last_success_timestamp_seconds`,
    help: 'Unix time of the last check that got a usable answer from EMQX (0 if none yet).',
    collect () { this.set((store.current.lastSuccessAt ?? 0) / 1000) },
  })
  gauge(registry, {
    name: `${PREFIX}emqx_consecutive_failures`,
    help: 'Failed EMQX checks in a row (0 after any usable answer).',
    collect () { this.set(store.current.consecutiveFailures) },
  })
  gauge(registry, {
    name: `${PREFIX}emqx_api_info`,
    help: 'EMQX API in use: version (v4/v5) and mode (rebalance, or node_status when the rebalance API is missing); 1 once detected.',
    labelNames: ['api_version', 'mode'],
    collect () { this.reset(); const a = store.current.api; if (a !== undefined) this.set({ api_version: a.version, mode: a.mode }, 1) },
  })
  gauge(registry, {
    name: `${PREFIX}rebalance_enabled`,
    help: 'Local rebalance/evacuation status from EMQX (cached): 1 while a process runs on this node, 0 when disabled; ' +
      'absent when not readable.',
    labelNames: ['process', 'rebalance_state'],
    collect () {
      this.reset()
      const rb = store.current.rebalance
      if (rb === undefined) return
      this.set({ process: rb.process ?? '', rebalance_state: rb.state ?? '' }, rb.status === 'enabled' ? 1 : 0)
    },
  })
  for (const [name, help, fields] of STAT_GAUGES) {
    gauge(registry, {
      name: `${PREFIX}${name}`,
      help,
      labelNames: ['stat'],
      collect () {
        this.reset()
        const stats = store.current.rebalance?.stats
        for (const stat of fields) { const v = stats?.[stat]; if (v !== undefined) this.set({ stat }, v) }
      },
    })
  }

  const checks = counter(registry, {
    name: `${PREFIX}emqx_checks_total`,
    help: 'EMQX checks by outcome (available, unavailable, not_running, failure).',
    labelNames: ['outcome'],
  })
  for (const o of ['available', 'unavailable', 'not_running', 'failure']) checks.inc({ outcome: o }, 0)
  const failures = counter(registry, {
    name: `${PREFIX}emqx_check_failures_total`, help: 'Failed EMQX checks by reason.', labelNames: ['reason'],
  })
  for (const reason of FAILURE_REASONS) failures.inc({ reason }, 0)
  const duration = histogram(registry, {
    name: `${PREFIX}emqx_check_duration_seconds`,
    help: 'Duration of EMQX checks, failures included.',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  })
  const transitions = counter(registry, {
    name: `${PREFIX}state_transitions_total`, help: 'State changes, by the state entered.', labelNames: ['to'],
  })
  for (const st of NODE_STATES) transitions.inc({ to: st }, 0)
  // Probes are nearly all the traffic: counted in plain numbers on the hot path and handed to the
  // counter when it is scraped (a labelled inc() hashes its labels on every call).
  type Pending = Map<string, { readonly labels: { protocol: string, answer: string }, n: number }>
  const pendingProbes = Object.fromEntries(CHECKER_KINDS.map((k) => [k, new Map()])) as Record<CheckerKind, Pending>
  const probes = counter(registry, {
    name: `${PREFIX}probes_total`,
    help: `Probes answered, by protocol (${CHECKER_KINDS.join(', ')}) and answer (HTTP status or agent state word).`,
    labelNames: ['protocol', 'answer'],
    collect () {
      for (const kind of CHECKER_KINDS) {
        for (const p of pendingProbes[kind].values()) if (p.n > 0) { this.inc(p.labels, p.n); p.n = 0 }
      }
    },
  })
  const countProbe = (protocol: CheckerKind, answer: string): void => {
    const pending = pendingProbes[protocol]
    const p = pending.get(answer)
    if (p !== undefined) p.n++
    else pending.set(answer, { labels: { protocol, answer }, n: 1 })
  }
  for (const protocol of CHECKER_KINDS) for (const answer of CHECKER_PROTOCOLS[protocol].answers) probes.inc({ protocol, answer }, 0)
  const dropped = counter(registry, {
    name: `${PREFIX}connections_dropped_total`,
    help: 'Connections closed at once because the listener had reached its connection limit ' +
      '(--http-max-connections, --agent-max-connections), by protocol.',
    labelNames: ['protocol'],
  })
  for (const protocol of CHECKER_KINDS) dropped.inc({ protocol }, 0)
  const streams = gauge(registry, {
    name: `${PREFIX}event_streams`,
    help: 'GET /events streams (the live page) open now; at most --events-max-clients.',
  })
  streams.set(0)

  store.on('check', (ev) => {
    checks.inc({ outcome: ev.outcome.kind })
    if (ev.outcome.kind === 'failure') failures.inc({ reason: ev.outcome.reason })
    duration.observe(ev.durationMs / 1000)
  })
  store.on('update', (next, prev) => { if (next.state !== prev.state) transitions.inc({ to: next.state }) })
  const admin = registerOverrideMetrics(registry, store, PREFIX)
  registerEvacuationAckMetrics(registry, store, extras.rebalanceAck)
  if (extras.arrivals !== undefined) registerArrivalMetrics(registry, extras.arrivals)

  const heartbeat = extras.heartbeat
  if (heartbeat !== undefined) {
    gauge(registry, {
      name: `${PREFIX}poll_lag_seconds`,
      help: 'How late the next EMQX check is: time since the last one started, beyond the poll interval (0 on schedule). ' +
        `/livez answers 503 once the time since the last start passes ${heartbeat.boundMs / 1000}s.`,
      collect () { this.set(heartbeat.lagMs() / 1000) },
    })
  }
  if (extras.tracker !== undefined) registerCheckerMetrics(registry, extras.tracker, extras.drainAck, extras.perSource ?? false)
  if (extras.cluster !== undefined) registerClusterMetrics(registry, store, extras.cluster)
  if (extras.cluster !== undefined) registerMembershipMetrics(registry, store, extras.cluster)

  return {
    registry,
    probe: countProbe,
    connectionDropped (protocol) { dropped.inc({ protocol }) },
    eventStreams (open) { streams.set(open) },
    admin: admin.admin,
  }
}
