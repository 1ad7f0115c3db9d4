import type { IncomingMessage, ServerResponse } from 'node:http'
import { parseDuration } from '../duration.js'
import type { EmqxDouble } from './double.js'
import { FAULT_SCOPES, SIM_FAULTS, type FaultScope, type SimFault } from './faults.js'

/** What a control action answers: an HTTP status and a JSON document. */
export interface ControlAnswer {
  readonly status: number
  readonly doc: Record<string, unknown>
  /** runs once the answer is sent (a `refuse` fault would otherwise cut the connection carrying it) */
  readonly after?: () => Promise<void>
}

export const CONTROL_PREFIX = '/_sim/'

/** The control actions, by name; the same table serves HTTP (`POST /_sim/<name>`) and keyboard keys. */
export const ACTIONS = [
  'evacuate', 'donor', 'recipient', 'purge', 'restore', 'stop-emqx', 'start-emqx', 'connect', 'cut-off', 'lose-peer', 'rejoin',
] as const
export type SimAction = (typeof ACTIONS)[number]

/** What the simulated node is doing, for `GET /_sim/state` and the demo's screen. */
export function simState (sim: EmqxDouble): Record<string, unknown> {
  const p = sim.process
  return {
    node: sim.nodeName,
    profile: sim.profile,
    available: sim.available && sim.running,
    availability_check: sim.availabilityStatus,
    process: p.kind,
    process_state: p.kind === 'none' ? null : p.state,
    role: p.kind === 'rebalance' ? p.role : null,
    emqx_running: sim.running,
    fault: sim.fault,
    fault_path: sim.faultScope,
    connections: sim.counts.connections,
    connects: sim.counts.connects,
    cluster_role: sim.cluster.role,
    cluster_peers: sim.cluster.peers,
    cluster_seen: sim.cluster.seen,
  }
}

/**
 * Applies one action to the simulated node. Starting a process while another runs is refused (409),
 * as EMQX refuses with `already_started`; `restore` ends any process, clears the fault, starts EMQX and rejoins the cluster.
 */
export async function applyAction (
  sim: EmqxDouble,
  action: SimAction,
  query: URLSearchParams = new URLSearchParams()
): Promise<ControlAnswer> {
  const busy = (): ControlAnswer => ({ status: 409, doc: { error: 'already_started', process: sim.process.kind } })
  switch (action) {
    case 'evacuate': {
      if (sim.process.kind !== 'none') return busy()
      const secs = (name: string): number | undefined => {
        const v = query.get(name)
        const ms = v === null ? undefined : parseDuration(/^\d+$/.test(v) ? `${v}s` : v)
        return ms === undefined ? undefined : ms / 1000
      }
      const wait = secs('wait_health_check')
      sim.startEvacuation(wait === undefined ? {} : { wait_health_check: wait })
      break
    }
    case 'donor': if (sim.process.kind !== 'none') return busy(); sim.becomeDonor(); break
    case 'recipient': if (sim.process.kind !== 'none') return busy(); sim.becomeRecipient(); break
    case 'purge': {
      // ?coordinator=<node>: another node runs the purge, this one plays one of the others
      if (sim.process.kind !== 'none') return busy()
      sim.startPurge(query.get('coordinator') ?? sim.nodeName)
      break
    }
    case 'restore': sim.stopProcess(); sim.running = true; sim.rejoin(); await sim.setFault('none'); break
    case 'stop-emqx': sim.running = false; break
    case 'start-emqx': sim.running = true; break
    // the node's own view of its cluster (GET /api/v5/cluster, /api/v4/nodes): alone, one peer fewer, all peers again
    case 'cut-off': sim.cutOff(); break
    case 'lose-peer': {
      // ?node=<name>: that peer; else the last one it sees
      const node = query.get('node') ?? undefined
      if (!sim.losePeer(node)) return { status: 409, doc: { error: 'peer_not_seen', node: node ?? null, cluster_seen: sim.cluster.seen } }
      break
    }
    case 'rejoin': sim.rejoin(); break
    case 'connect': {
      // ?n=5: that many MQTT CONNECTs reached the node (its client.connect counter)
      const n = Number(query.get('n') ?? '1')
      if (!Number.isInteger(n) || n < 0 || n > 1_000_000) return { status: 400, doc: { error: 'n must be an integer 0..1000000' } }
      sim.connect(n)
      break
    }
  }
  return { status: 200, doc: simState(sim) }
}

/**
 * Injects a fault; `for` (a duration) clears it again by itself. `refuse` closes the listener this very
 * interface answers on, so it is only accepted with `for` (or from the keyboard).
 */
export async function applyFault (
  sim: EmqxDouble,
  name: string,
  forText: string | null,
  fromKeyboard = false,
  pathText: string | null = null
): Promise<ControlAnswer> {
  if (!(SIM_FAULTS as readonly string[]).includes(name)) return { status: 404, doc: { error: 'unknown_fault', faults: SIM_FAULTS } }
  const fault = name as SimFault
  const forMs = forText === null ? undefined : parseDuration(forText)
  if (forText !== null && forMs === undefined) return { status: 400, doc: { error: 'bad_duration', for: forText } }
  if (pathText !== null && !(FAULT_SCOPES as readonly string[]).includes(pathText)) {
    return { status: 400, doc: { error: 'bad_path', path: pathText, paths: FAULT_SCOPES } }
  }
  const path = (pathText ?? 'all') as FaultScope
  if (fault === 'refuse' && path !== 'all') {
    return { status: 400, doc: { error: 'refuse closes the whole listener: it cannot hit one path' } }
  }
  if (fault === 'refuse' && forMs === undefined && !fromKeyboard) {
    return { status: 400, doc: { error: 'refuse closes this listener: give ?for=<duration> so it comes back' } }
  }
  // not unref()ed: while `refuse` has the listener closed, this timer is what keeps the process alive
  if (forMs !== undefined) setTimeout(() => { if (sim.fault === fault) sim.setFault('none') }, forMs)
  return {
    status: 200,
    doc: { ...simState(sim), fault, fault_path: path, fault_for_ms: forMs ?? null },
    after: async () => { await sim.setFault(fault, { path }) },
  }
}

/** The HTTP side: `GET /_sim/state`, `POST /_sim/<action>`, `POST /_sim/fault/<name>[?for=5s][&path=availability|status]`. */
export function controlInterceptor (
  sim: EmqxDouble,
  onChange: (what: string) => void = () => {}
): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://sim')
    if (!url.pathname.startsWith(CONTROL_PREFIX)) return false
    const name = url.pathname.slice(CONTROL_PREFIX.length)
    const send = ({ status, doc, after }: ControlAnswer): void => {
      const body = JSON.stringify(doc) + '\n'
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), connection: 'close' })
      res.end(body, () => { if (after !== undefined) after().then(() => onChange(`fault ${sim.fault}`)) })
    }
    req.resume()
    req.on('end', () => {
      if (req.method === 'GET' && (name === 'state' || name === '')) { send({ status: 200, doc: simState(sim) }); return }
      if (req.method !== 'POST') { send({ status: 405, doc: { error: 'use POST for actions', actions: ACTIONS } }); return }
      const fault = /^fault\/([a-z0-9_]+)$/.exec(name)
      const done = (a: ControlAnswer): void => { send(a); if (a.status === 200 && fault === null) onChange(name) }
      if (fault !== null) {
        applyFault(sim, fault[1] ?? '', url.searchParams.get('for'), false, url.searchParams.get('path')).then(done)
        return
      }
      if ((ACTIONS as readonly string[]).includes(name)) { applyAction(sim, name as SimAction, url.searchParams).then(done); return }
      const faults = `POST ${CONTROL_PREFIX}fault/<${SIM_FAULTS.join('|')}>[?for=5s][&path=${FAULT_SCOPES.join('|')}]`
      send({ status: 404, doc: { error: 'unknown_action', actions: ACTIONS, faults } })
    })
    return true
  }
}
