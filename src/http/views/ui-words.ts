import type { FailureReason } from '../../errors.js'
import type { NodeState, Reason } from '../../state/model.js'
import type { EvacuationPhase, EvidenceVerdict } from '../../state/evacuation-types.js'
import type { ReceivedStatus } from './status-types.js'

/**
 * The live page's words: what a person reads for each state, reason, phase and EMQX process state. The raw
 * names stay in /status (and in the page's `data-state`); here they become sentences.
 */

/** One sentence per state: what the load balancers are being told. */
export const STATE_SENTENCES: Readonly<Record<NodeState, string>> = {
  starting: 'Load balancers are told to wait: no new connections until EMQX has answered.',
  up: 'Load balancers are told to send new connections here.',
  draining: 'Load balancers are told to send no new connections here; connected clients stay until EMQX moves them.',
  down: 'Load balancers are told this node is down: no new connections.',
  stopping: 'The sidecar is stopping: load balancers are told to send no new connections.',
}

const FAILURES: Readonly<Record<FailureReason, string>> = {
  refused: 'EMQX refuses connections to its API',
  timeout: 'EMQX does not answer in time',
  reset: 'EMQX closed the connection',
  dns: "EMQX's API address does not resolve",
  tls: "EMQX's API certificate is not accepted",
  transport: 'EMQX cannot be reached',
  http_5xx: 'EMQX answers with server errors',
  http_status: 'EMQX answers with an unexpected status',
  auth: "EMQX refuses the sidecar's credentials",
  not_found: 'EMQX does not know the availability check',
  redirect: 'EMQX redirects the availability check',
  bad_body: 'EMQX answers something unreadable',
  body_too_large: 'EMQX answers far too much',
}

/** The process a rebalance status names, as words ("EMQX is evacuating this node"). */
export function processWords (process: string | undefined): string | undefined {
  switch (process) {
    case 'evacuation': return 'EMQX is evacuating this node'
    case 'rebalance': return 'this node is a rebalance donor'
    case 'purge': return 'EMQX is purging sessions'
    default: return undefined
  }
}

const PHASES: Readonly<Record<EvacuationPhase, string>> = {
  starting: 'asking EMQX to start',
  awaiting_ack: 'waiting until every load balancer has been told',
  running: 'EMQX is moving clients away',
  done: 'finished',
  deadline: 'its deadline passed before it finished',
  failed: 'it failed',
}
export const phaseWords = (p: EvacuationPhase | string | undefined): string => PHASES[p as EvacuationPhase] ?? humanize(p)

const EMQX_STATES: Readonly<Record<string, string>> = {
  waiting_health_check: 'waiting for the load balancers (wait_health_check)',
  wait_health_check: 'waiting for the load balancers (wait_health_check)',
  evicting_conns: 'disconnecting clients',
  waiting_takeover: 'waiting for sessions to be taken over',
  wait_takeover: 'waiting for sessions to be taken over',
  evicting_sessions: 'moving sessions to other nodes',
  prohibiting: 'done moving clients; refusing new ones',
  purging: 'purging sessions',
}
export const emqxStateWords = (s: string | null | undefined): string => (s === null || s === undefined ? '' : EMQX_STATES[s] ?? humanize(s))

/** The headline of a reason, refined by what else the document knows (which process drains the node). */
export function reasonHeadline (reason: Reason | string | undefined, d: ReceivedStatus = {}): string {
  switch (reason) {
    case 'awaiting_first_check': return "Waiting for EMQX's first answer"
    case 'emqx_available': return 'EMQX says this node takes new connections'
    case 'emqx_unavailable': {
      const known = d.rebalance?.status === 'enabled' ? processWords(d.rebalance.process) : undefined
      return known === undefined ? 'EMQX asks for no new connections (a rebalance, an evacuation or a purge)' : capital(known)
    }
    case 'emqx_purging': return 'A cluster purge runs (EMQX answers 500 meanwhile)'
    case 'emqx_not_running': return 'EMQX is not running on this node'
    case 'shutdown': return 'The sidecar is stopping'
    case 'manual_drain': {
      const by = d.overrides?.manual_drain?.by
      return `Drained by hand${by === undefined ? '' : ` (by ${by})`}`
    }
    case 'drain_file': return 'Drained by the drain file'
    case 'evacuation': return `Evacuation through the sidecar: ${phaseWords(d.overrides?.evacuation?.phase ?? undefined)}`
    case 'not_in_cluster': {
      const m = d.membership
      return m?.verdict === 'no_core'
        ? 'Not in its cluster: a replicant that sees no running core'
        : `Not in its cluster: it sees ${m?.running_count ?? '?'} of ${m?.expect ?? '?'} nodes running`
    }
    default: {
      const failure = reason?.startsWith('emqx_') === true ? FAILURES[reason.slice(5) as FailureReason] : undefined
      return failure ?? humanize(reason)
    }
  }
}

const VERDICTS: Readonly<Record<EvidenceVerdict, string>> = {
  not_draining: 'not draining',
  no_counter: "EMQX's CONNECT counter cannot be read: no evidence either way",
  too_little_traffic: 'too little traffic to tell whether new clients still arrive',
  arriving: 'new clients still arrive',
  quiet: 'no new client has arrived for long enough',
}
export const verdictWords = (v: string | undefined): string => VERDICTS[v as EvidenceVerdict] ?? humanize(v)

const SOURCES: Readonly<Record<string, string>> = {
  prometheus: "EMQX's Prometheus endpoint",
  metrics_api: "EMQX's metrics API",
  v4_metrics: "EMQX 4.4's metrics API",
}
export const sourceWords = (s: string | null | undefined): string | null => (s === null || s === undefined ? null : SOURCES[s] ?? s)

const ACK_STAGES: Readonly<Record<string, string>> = {
  checkers: 'waiting until every checker has been told',
  grace: 'every checker told; the grace runs',
  quiet: 'waiting until new clients stop arriving',
  ended: 'over',
}
export const ackStageWords = (s: string | undefined): string => ACK_STAGES[s ?? ''] ?? humanize(s)

function humanize (name: string | undefined): string {
  return name === undefined || name === '' ? 'unknown' : name.replace(/_/g, ' ')
}
const capital = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1)

/**
 * A span of seconds in words ("12 s", "3 min 5 s", "2 h 10 min"). Plain JavaScript without imports: the
 * page's script carries this very function (its source) to keep relative times moving between events.
 */
export function spanText (seconds: number): string {
  if (typeof seconds !== 'number' || !isFinite(seconds)) return '\u2013'
  const s = Math.max(0, Math.round(seconds))
  if (s < 90) return s + ' s'
  if (s < 5400) return Math.floor(s / 60) + ' min ' + (s % 60) + ' s'
  return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min'
}

/** "12 s ago" / "in 3 min 5 s" of an ISO time, seen at `now`; the page's script carries this function too. */
export function relativeText (iso: string, now: number): string {
  const t = new Date(iso).getTime()
  if (isNaN(t)) return '\u2013'
  const d = (now - t) / 1000
  return d >= -0.5 ? spanText(d) + ' ago' : 'in ' + spanText(-d)
}
