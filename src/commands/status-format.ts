/**
 * Renders a /status document for people, in the spirit of `emqx_ctl rebalance node-status`.
 * Pure: document in, text out. Tolerates missing sections (older sidecars, no credentials).
 */
import type { AckView, DrainEvidenceView, Received, ReceivedStatus } from '../http/views/status-types.js'
import type { RebalanceStats } from '../emqx/rebalance.js'

// Only the state and reason were checked (./status.ts): a section may still hold anything, so each is
// read through these guards, never trusted to be an object or a list.
const obj = <T extends object>(v: T | null | undefined): T | undefined =>
  (typeof v === 'object' && v !== null && !Array.isArray(v) ? v : undefined)
const arr = <T extends object>(v: readonly T[] | null | undefined): T[] =>
  (Array.isArray(v) ? v.filter((x: unknown): x is T => typeof x === 'object' && x !== null) : [])
const str = (v: unknown): string =>
  (v === null || v === undefined ? '-' : Array.isArray(v) ? v.join(', ') || '-' : String(v))
const yes = (v: unknown): string => (v === true ? 'yes' : v === false ? 'no' : 'unknown')

function statsLine (stats: Received<RebalanceStats> | undefined): string | undefined {
  if (stats === undefined) return undefined
  const disconnected = stats.current_disconnected_sessions
  return `connections ${str(stats.current_connected)}/${str(stats.initial_connected)}, ` +
    `sessions ${str(stats.current_sessions)}/${str(stats.initial_sessions)}` +
    (disconnected !== undefined ? `, disconnected sessions ${str(disconnected)}` : '')
}

/** Probes a client must have sent to be listed as a load-balancer checker (as for the slow-checker warning). */
const REPEAT_PROBES = 3

export function formatStatus (d: ReceivedStatus, now = Date.now()): string {
  const out: string[] = []
  const emqx = obj(d.emqx) ?? {}
  const gets = d.available === true ? 'gets new connections' : 'no new connections'
  const configError = emqx.config_error !== null && emqx.config_error !== undefined
  // a rejected key is the cause, not a node name the sidecar has not read
  const node = emqx.node_name ?? (configError ? '(name not read: see the CONFIGURATION ERROR below)' : undefined)
  out.push(`Node ${str(node)}: ${str(d.state).toUpperCase()} (${gets}) since ${str(d.since)} ` +
    `(${Math.round(Number(d.seconds_in_state ?? 0))}s)`)
  out.push(`  reason: ${str(d.reason)}: ${str(d.message)}`)
  const last = obj(emqx.last_check)
  const failing = Number(emqx.consecutive_failures ?? 0) > 0
    ? `; ${str(emqx.consecutive_failures)} failures in a row (${str(last?.failure_reason)})`
    : ''
  out.push(`  EMQX API: ${str(emqx.api_version)} ${str(emqx.api_mode)} at ${str(emqx.api_url)}; ` +
    `last check ${str(last?.at)} ${str(last?.outcome)} in ${str(last?.duration_ms)}ms${failing}`)
  if (emqx.drains_detectable === false) {
    out.push('  WARNING: the EMQX rebalance API is missing (open-source EMQX?): drains cannot be detected')
  }
  if (configError) out.push(`  CONFIGURATION ERROR: ${str(emqx.config_error)}`)
  const agent = obj(d.agent)
  if (agent !== undefined) {
    const ramp = typeof agent.ramp_ends_at === 'string' ? `; weight rising to 100% by ${agent.ramp_ends_at} (--agent-ramp)` : ''
    out.push(`  agent-check answers: ${str(agent.words)}${ramp}`)
  }
  out.push(...overrideLines(d))

  const rb = obj(d.rebalance)
  if (rb === undefined) out.push(`Local rebalance: not readable (${str(d.rebalance_error)})`)
  else if (rb.status !== 'enabled') out.push('Local rebalance: disabled')
  else {
    const coordinator = rb.coordinator_node !== undefined ? `, coordinator: ${str(rb.coordinator_node)}` : ''
    // the node's own status, read with the checks while it drains; the cluster view below is read less often
    out.push(`Local rebalance (this node's own status, read with each check): ${str(rb.process)}, state: ${str(rb.state)}${coordinator}`)
    if (rb.connection_eviction_rate !== undefined) {
      out.push(`  eviction rates: ${str(rb.connection_eviction_rate)} connections/s, ${str(rb.session_eviction_rate)} sessions/s`)
    }
    if (rb.connection_goal !== undefined) {
      out.push(`  goals: connections ${str(rb.connection_goal)}, sessions ${str(rb.session_goal)}, ` +
        `disconnected sessions ${str(rb.disconnected_session_goal)}`)
    }
    const recipients = rb.recipients ?? rb.session_recipients
    if (recipients !== undefined) out.push(`  recipients: ${str(recipients)}`)
    const s = statsLine(obj(rb.stats))
    if (s !== undefined) out.push(`  ${s}`)
  }

  const ack = obj(d.drain_acknowledgement)
  // a load balancer probes again and again; a client seen only once or twice (a person's curl) is listed apart
  const all = arr(d.checkers)
  const checkers = all.filter((c) => Number(c.probes ?? 0) >= REPEAT_PROBES)
  const oneOff = all.filter((c) => Number(c.probes ?? 0) < REPEAT_PROBES)
  out.push(`Load balancer checkers: ${checkers.length}`)
  if (ack !== undefined && ack.draining_since !== null) {
    out.push(`  drain since ${str(ack.draining_since)}: ${str(ack.checkers_told)}/${str(ack.checkers_active)} checkers told; ` +
      `acknowledged: ${yes(ack.acknowledged)}` + (ack.acknowledged === true ? ` after ${str(ack.acknowledged_after_seconds)}s` : ''))
  }
  for (const c of checkers) {
    const agent = c.user_agent !== '' ? ` "${str(c.user_agent)}"` : ''
    const every = typeof c.interval_ms === 'number' ? `every ${c.interval_ms}ms` : 'interval not known yet'
    out.push(`  ${str(c.kind)} ${str(c.source)}${agent}: ${every}, fall ${str(c.fall)}, last answer ${str(c.last_answer)}` +
      (ack?.draining_since !== null ? `, told: ${yes(c.told)} (${str(c.drain_answers)} drain answers)` : '') +
      (c.within_budget === false ? ' [TOO SLOW for wait_health_check]' : ''))
  }
  if (oneOff.length > 0) {
    out.push(`One-off requests (fewer than ${REPEAT_PROBES} probes: not a load balancer yet, waited for only while just seen): ` +
      String(oneOff.length))
    for (const c of oneOff) {
      const agent = c.user_agent !== '' ? ` "${str(c.user_agent)}"` : ''
      out.push(`  ${str(c.kind)} ${str(c.source)}${agent}: ${str(c.probes)} probe(s), last seen ${str(c.last_seen)}, ` +
        `last answer ${str(c.last_answer)}`)
    }
  }

  out.push(...evidenceLines(obj(d.drain_evidence)))

  const cluster = obj(d.cluster)
  if (cluster === undefined) out.push(`Cluster: not readable (${str(d.cluster_error)})`)
  else {
    const ev = arr(cluster.evacuations)
    const pu = arr(cluster.purges)
    const rbs = arr(cluster.rebalances)
    const at = typeof cluster.fetched_at === 'string' ? Date.parse(cluster.fetched_at) : NaN
    const read = isNaN(at) ? 'read at an unknown time' : `read ${Math.max(0, Math.round((now - at) / 1000))}s ago`
    out.push(ev.length + pu.length + rbs.length === 0
      ? `Cluster: no evacuation, purge or rebalance in progress (global_status, ${read})`
      : `Cluster view (EMQX's global_status, ${read}; it can lag the node's own status above):`)
    for (const e of ev) out.push(`Cluster evacuation on ${str(e.node)}: ${str(e.state)}; ${statsLine(obj(e.stats)) ?? ''}`)
    for (const p of pu) out.push(`Cluster purge on ${str(p.node)}: ${str(p.state)}`)
    for (const r of rbs) {
      const bal = obj(r.balanced)
      out.push(`Cluster rebalance coordinated by ${str(r.coordinator_node ?? r.node)}: ${str(r.state)}`)
      out.push(`  donors: ${str(r.donors)}; recipients: ${str(r.recipients)}`)
      out.push(`  avg connections donor ${str(r.donor_conn_avg)} vs recipient ${str(r.recipient_conn_avg)}: ` +
        `balanced ${yes(bal?.connections)}; ` +
        `avg disconnected sessions donor ${str(r.donor_sess_avg)} vs recipient ${str(r.recipient_sess_avg)}: ` +
        `balanced ${yes(bal?.sessions)}`)
    }
  }
  out.push(...membershipLines(d))
  return out.join('\n') + '\n'
}

/** This node's own view of its cluster (--expect-cluster-size); nothing when it is off. */
function membershipLines (d: ReceivedStatus): string[] {
  const m = obj(d.membership)
  if (m === undefined) return []
  const role = typeof m.role === 'string' ? ` (${m.role})` : ''
  const out = [`Cluster membership${role}: ${str(m.verdict ?? 'not read yet')}${m.drains === true ? ', DRAINING' : ''}: ${str(m.message)}`]
  if (Array.isArray(m.running)) out.push(`  running in its view (${m.running.length} of ${str(m.expect)} expected): ${str(m.running)}`)
  if (Array.isArray(m.cores)) out.push(`  running cores it sees: ${str(m.cores)}`)
  if (typeof m.error === 'string') out.push(`  last read failed (${str(m.unreadable_reads)} in a row): ${m.error}`)
  return out
}

/** Drain switches and the sidecar's evacuation (docs/graceful-shutdown.md); nothing when none is on. */
function overrideLines (d: ReceivedStatus): string[] {
  const o = obj(d.overrides)
  const observed = obj(d.observed)
  if (o === undefined) return []
  const out: string[] = []
  const manual = obj(o.manual_drain)
  const file = obj(o.drain_file)
  const ev = obj(o.evacuation)
  if (manual !== undefined) {
    out.push(`  manual drain: on since ${str(manual.since)} (by ${str(manual.by)}); POST /admin/undrain to undo`)
  }
  if (file !== undefined) out.push(`  drain file: present since ${str(file.since)}`)
  const cut = obj(o.not_in_cluster)
  if (cut !== undefined) out.push(`  not in cluster since ${str(cut.since)}: ${str(cut.message)}`)
  if (ev !== undefined) {
    out.push(`  evacuation (requested by ${str(ev.requested_by)} at ${str(ev.started_at)}): ` +
      `${str(ev.phase)}, EMQX state ${str(ev.emqx_state)}, ` +
      `${str(ev.connections)} connections and ${str(ev.sessions)} sessions left, deadline ${str(ev.deadline)}` +
      (ev.error !== null && ev.error !== undefined ? `; error: ${str(ev.error)}` : ''))
    const ack = obj(ev.acknowledgement)
    const sent = typeof ev.wait_health_check_sent === 'number'
      ? `; EMQX asked for wait_health_check ${ev.wait_health_check_sent}s, evicting from ${str(ev.eviction_starts_at)}`
      : ''
    if (ack !== undefined) out.push(`    load balancers: ${ackLine(ack)}${sent}`)
    if (typeof ev.done_reason === 'string') {
      out.push(`    done: ${ev.done_reason}${typeof ev.sessions_note === 'string' ? `; ${ev.sessions_note}` : ''}`)
    }
  }
  if (out.length > 0 && observed !== undefined) out.push(`  EMQX alone says: ${str(observed.state)} (${str(observed.reason)})`)
  return out
}

/** The acknowledged wait in one line: who is awaited, or why it ended. */
function ackLine (a: Received<AckView>): string {
  const told = `${str(a.checkers_told)}/${str(a.checkers_known)} checkers told` +
    (Number(a.checkers_expected ?? 0) > 0 ? ` (${str(a.checkers_expected)} expected)` : '')
  if (a.stage === 'checkers') return `awaiting acknowledgement: ${told}; still awaited: ${str(a.awaited)}; at most until ${str(a.max_at)}`
  if (a.stage === 'grace') return `every checker told after ${str(a.all_told_after_seconds)}s; grace before EMQX evicts`
  if (a.stage === 'quiet') {
    return `every checker told after ${str(a.all_told_after_seconds)}s, but CONNECTs still arrive: ` +
      `EMQX is asked to evict once they stop, at most until ${str(a.max_at)}`
  }
  return `wait ended by ${str(a.ended_by)} after ${str(a.ended_after_seconds)}s (${told})`
}

/** Where the counter was read (src/emqx/connects.ts). */
const SOURCES: Readonly<Record<string, string>> = {
  prometheus: 'GET /api/v5/prometheus/stats',
  metrics_api: 'GET /api/v5/metrics',
  v4_metrics: 'GET /api/v4/nodes/<node>/metrics',
}

/**
 * EMQX's CONNECT counter (docs/graceful-shutdown.md, "Arrival evidence"): the verdict in one line; while
 * draining a second with the counts since the drain and since eviction, and a warning for CONNECTs after
 * eviction began. Nothing from a sidecar without the section.
 */
function evidenceLines (e: Received<DrainEvidenceView> | undefined): string[] {
  if (e === undefined) return []
  const from = typeof e.source === 'string' ? `, ${SOURCES[e.source] ?? e.source}` : ''
  const usual = typeof e.usual_rate_per_second === 'number'
    ? `usual rate ${e.usual_rate_per_second} CONNECTs/s`
    : 'usual rate not known yet'
  const rate = typeof e.drain_rate_per_second === 'number' ? `${usual}, ${e.drain_rate_per_second}/s during the drain` : usual
  const unreadable = `counter not readable (${str(e.error ?? 'no fresh reading')})`
  const verdict = e.verdict === 'not_draining'
    ? (e.error !== null && e.error !== undefined ? unreadable : `not draining; ${rate}`)
    : e.verdict === 'no_counter'
      ? `NO EVIDENCE: ${unreadable}; the wait for the load balancers ends on told + grace`
      : e.verdict === 'too_little_traffic'
        ? `too little traffic to judge (${rate}); the wait ends on told + grace`
        : e.verdict === 'arriving'
          ? `CONNECTs still arrive; ${rate}, quiet window ${str(e.quiet_window_seconds)}s`
          : e.verdict === 'quiet'
            ? `quiet: no CONNECT for a whole ${str(e.quiet_window_seconds)}s window; ${rate}`
            : str(e.verdict)
  const out = [`Arrivals (EMQX's CONNECT counter${from}): ${verdict}`]
  // which source and why not the others, in one line (src/emqx/counter-sources.ts)
  const counter = e.counter
  if (typeof counter === 'object' && counter !== null && typeof counter.summary === 'string') {
    out.push(`  counter source: ${counter.summary}`)
  }
  if (typeof e.draining_since !== 'string') return out
  const evicting = typeof e.eviction_since === 'string'
    ? `, ${str(e.connects_since_eviction)} since eviction began at ${e.eviction_since}`
    : ''
  const quiet = typeof e.quiet_seconds === 'number' ? `; quiet for ${e.quiet_seconds}s` : ''
  out.push(`  since the drain began at ${e.draining_since}: ` + (typeof e.connects_since_drain === 'number'
    ? `${e.connects_since_drain} CONNECTs${evicting}; last arrival ${e.last_arrival ?? 'none'}${quiet} (read at ${str(e.last_read)})`
    : 'CONNECTs not counted'))
  if (typeof e.connects_since_eviction === 'number' && e.connects_since_eviction > 0) {
    out.push(`  WARNING: ${e.connects_since_eviction} CONNECT(s) after eviction began: a load balancer the sidecar does not see, ` +
      'or direct clients, still route here')
  }
  return out
}
