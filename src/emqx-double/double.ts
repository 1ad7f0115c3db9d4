import type { IncomingMessage, ServerResponse } from 'node:http'
import { faultAnswer } from './answers.js'
import { takeOver, writeAnswer } from './wire.js'
import { evacuationCall, type EvacuationTarget, type SimAnswer } from './evacuation-api.js'
import { DEFAULT_EVACUATION, advanceEvacuation, startEvacuationProcess } from './evacuation-machine.js'
import { FaultSwitch } from './fault-switch.js'
import type { FaultScope, SimFault } from './faults.js'
import { SimListeners, type Listener } from './listeners.js'
import { unavailable, type SimProcess } from './node-model.js'
import type { EvacuationParams, NodeCounts } from './evacuation-machine.js'
import type { SimOptions } from './options.js'
import { routeApi, routeDashboard, type RouteContext } from './router.js'
import type { SimCluster } from './cluster-model.js'
import { OTHER_NODE } from './node-model.js'
import { PROFILES, type ProfileTraits, type SimProfile } from './profiles.js'
import { countKey, keep } from './received.js'

type Answer = SimAnswer

/**
 * A test double of one EMQX node's HTTP API that behaves as docs/emqx-compatibility.md says (and, behind
 * it, EMQX's sources): per-version paths, auth rules, bodies and status codes, 4.4's two listeners, plus
 * injectable faults (on every path or one). It is also the engine of `emqx-lb-sidecar simulate`, so
 * users can rehearse a load-balancer setup without EMQX.
 */
export class EmqxDouble {
  readonly profile: SimProfile
  readonly traits: ProfileTraits
  readonly nodeName: string
  readonly #username: string
  #password: string
  readonly #redirectTo: string
  #clusterOperations = true
  #monitoring = true
  readonly #prometheusBasicAuth: boolean
  readonly #dashboardAuth: string
  readonly #listeners: SimListeners
  readonly #fault = new FaultSwitch()
  running = true
  /** the node's cluster as it sees it (cluster-model.ts): cutOff(), losePeer() and rejoin() change what it sees */
  cluster: SimCluster
  #process: SimProcess = { kind: 'none' }
  readonly #timeScale: number
  readonly #realStart = performance.now()
  #advancedMs = 0
  // What was received is kept for tests, bounded (received.ts).
  /** the last evacuation start/stop requests received: node as sent in the path (undecoded), parsed JSON body, when */
  readonly evacuationRequests: Array<{ op: 'start' | 'stop', node: string, body: unknown, at: number }> = []
  /** wall-clock time (Date.now()) the current evacuation begins evicting: start + its wait_health_check, in simulated time */
  evictionBeganAt: number | undefined
  readonly counts: NodeCounts
  /** `durable_sessions.enable` (SimOptions.durableSessionsEnabled) */
  readonly durableSessionsEnabled: boolean
  /** requests received, by path (without query); paths past the first MAX_KEPT are counted in totalRequests only */
  readonly requests = new Map<string, number>()
  totalRequests = 0
  /** the last Authorization headers seen, for tests of what the sidecar sends */
  readonly authHeaders: Array<string | undefined> = []
  /**
   * Requests this returns true for are answered by it before faults and routing apply (the control
   * interface of `emqx-lb-sidecar simulate`, src/emqx-double/control.ts); they are not counted as API requests.
   */
  intercept: ((req: IncomingMessage, res: ServerResponse) => boolean) | undefined

  constructor (o: SimOptions = {}) {
    this.profile = o.profile ?? 'v5'
    this.traits = PROFILES[this.profile]
    this.nodeName = o.nodeName ?? 'emqx@127.0.0.1'
    this.#username = o.username ?? 'admin'
    this.#password = o.password ?? 'public'
    this.#redirectTo = o.redirectTo ?? 'http://127.0.0.1:9/elsewhere'
    this.setApiKey({ scopes: o.scopes })
    this.#prometheusBasicAuth = o.prometheusBasicAuth ?? this.traits.prometheus.basicAuth
    const du = o.dashboardUser ?? { username: 'admin', password: 'public' }
    this.#dashboardAuth = basic(du.username, du.password)
    this.#listeners = new SimListeners({
      host: o.host ?? '127.0.0.1',
      port: o.port ?? 0,
      dashboardPort: o.dashboardPort ?? 0,
      dashboard: this.traits.dashboard,
      tls: o.tls,
      handler: (req, res, listener) => { this.#handle(req, res, listener) },
    })
    const n = o.connections ?? 0
    const durable = o.durableSessions ?? this.traits.durableSessions
    this.durableSessionsEnabled = o.durableSessionsEnabled ?? durable > 0
    // emqx_persistent_session_bookkeeper:get_disconnected_session_count/0 (v5.8.0): 0 with durable sessions off
    const durableSessions = this.durableSessionsEnabled ? durable : 0
    const s = n + durableSessions
    this.counts = {
      connects: 0, connections: n, sessions: s, disconnectedSessions: 0, durableSessions, initialConnections: n, initialSessions: s,
    }
    this.#timeScale = o.timeScale ?? 1
    const peers = (o.clusterPeers ?? [OTHER_NODE]).filter((p) => p !== this.nodeName)
    this.cluster = { self: this.nodeName, role: o.role ?? 'core', peers, seen: peers }
  }

  /** Simulated time in ms: the real clock times timeScale, plus every advance(). */
  get now (): number { return (performance.now() - this.#realStart) * this.#timeScale + this.#advancedMs }

  /** Moves simulated time forward (evacuation phases and evictions happen as if that much time passed). */
  advance (ms: number): void { this.#advancedMs += ms; this.#tick() }

  /** What the node is doing, as of now: a running evacuation moves on by itself with simulated time. */
  get process (): SimProcess { this.#tick(); return this.#process }
  set process (p: SimProcess) { this.#process = p }

  #tick (): void {
    if (this.#process.kind === 'evacuation') this.#process = advanceEvacuation(this.#process, this.counts, this.now)
  }

  get port (): number { return this.#listeners.port }
  /** The API listener: 5.x's dashboard/API port, 4.4's management port (8081). */
  get url (): string { return this.#listeners.url }
  /** 4.4 only: the dashboard listener (18083 on the real thing); undefined for other profiles. */
  get dashboardUrl (): string | undefined { return this.#listeners.dashboardUrl }
  get fault (): SimFault { return this.#fault.fault }
  get faultScope (): FaultScope { return this.#fault.scope }
  get available (): boolean { return !unavailable(this.process) }
  /** What availability_check answers now (200, 503, or e5.1-5.3's 500 during a purge on a node that does not coordinate it). */
  get availabilityStatus (): number {
    return this.route('GET', `/api/${this.traits.api}/load_rebalance/availability_check`, basic(this.#username, this.#password), '').status
  }

  async listen (): Promise<number> { return await this.#listeners.listen() }

  /**
   * Changes the API key as an operator would in EMQX's dashboard: a new secret (the old one is then answered
   * 401 BAD_API_KEY_OR_SECRET), or the key's scopes (6.0.3+, 6.1.2+; `undefined`: none configured, every route).
   */
  setApiKey (k: { password?: string, scopes?: readonly string[] | undefined }): void {
    if (k.password !== undefined) this.#password = k.password
    if ('scopes' in k) {
      this.#clusterOperations = k.scopes === undefined || k.scopes.includes('cluster_operations')
      this.#monitoring = k.scopes === undefined || k.scopes.includes('monitoring')
    }
  }

  /** Closes the API listener (and, with `all`, 4.4's dashboard listener too). */
  async close (opts: { all?: boolean } = { all: true }): Promise<void> { await this.#listeners.close(opts) }

  /**
   * Inject a fault, on every path or (`path`) only on availability_check or only on the node status
   * endpoint. `refuse` closes the API listener (same port kept); leaving it listens again.
   */
  async setFault (fault: SimFault, opts: { slowMs?: number, path?: FaultScope, times?: number } = {}): Promise<void> {
    const was = this.#fault.set(fault, opts)
    if (fault === 'refuse' && was !== 'refuse') await this.close({ all: false })
    if (fault !== 'refuse' && was === 'refuse') await this.listen()
  }

  // --- operator actions (what emqx_ctl / the rebalance API would do) ---
  startEvacuation (params: Partial<EvacuationParams> = {}): void {
    this.counts.initialConnections = this.counts.connections
    this.counts.initialSessions = this.counts.sessions
    const p = startEvacuationProcess({ ...DEFAULT_EVACUATION, ...params }, this.traits.waitsHealthCheck, this.counts, this.now)
    this.process = p
    // the requested wait_health_check is the timeline (advanceEvacuation); lines without it evict at once
    const waitMs = p.state === 'waiting_health_check' ? p.params.wait_health_check * 1000 : 0
    this.evictionBeganAt = Date.now() + (this.#timeScale > 0 ? waitMs / this.#timeScale : 0)
  }

  /** Forces a state; an evacuation continues from there with simulated time. */
  setProcessState (state: string): void {
    const p = this.process
    if (p.kind === 'evacuation') {
      const phaseStartCount = state === 'evicting_sessions' ? this.counts.disconnectedSessions : this.counts.connections
      this.process = { ...p, state, phaseStartedAt: this.now, phaseStartCount }
    } else if (p.kind !== 'none') this.process = { ...p, state }
  }

  becomeDonor (coordinator = this.nodeName, recipients: readonly string[] = ['emqx2@127.0.0.1']): void {
    this.process = { kind: 'rebalance', role: 'donor', state: 'wait_health_check', coordinator, donors: [this.nodeName], recipients }
  }

  becomeRecipient (coordinator = 'emqx2@127.0.0.1', donors: readonly string[] = ['emqx2@127.0.0.1']): void {
    this.process = { kind: 'rebalance', role: 'recipient', state: 'wait_health_check', coordinator, donors, recipients: [this.nodeName] }
  }

  /** A purge coordinated by `coordinator` (this node unless given: give another to play the other nodes). */
  startPurge (coordinator = this.nodeName): void { this.process = { kind: 'purge', state: 'purging', coordinator } }
  stopProcess (): void { this.process = { kind: 'none' }; this.evictionBeganAt = undefined }

  /** The node loses sight of every peer (a netsplit's small side, or a node that left): it sees only itself. */
  cutOff (): void { this.cluster = { ...this.cluster, seen: [] } }
  /** It loses sight of `node`, or of the last peer it sees; false when it does not see that one (or any). */
  losePeer (node?: string): boolean {
    const seen = this.cluster.seen
    const gone = node ?? seen[seen.length - 1]
    if (gone === undefined || !seen.includes(gone)) return false
    this.cluster = { ...this.cluster, seen: seen.filter((p) => p !== gone) }
    return true
  }

  /** It sees peer `node` running again (a no-op for a node that is not its peer). */
  seePeer (node: string): void {
    const { peers, seen } = this.cluster
    if (!peers.includes(node) || seen.includes(node)) return
    this.cluster = { ...this.cluster, seen: peers.filter((p) => p === node || seen.includes(p)) }
  }

  /** It sees every peer running again. */
  rejoin (): void { this.cluster = { ...this.cluster, seen: this.cluster.peers } }

  count (path: string): number { return this.requests.get(path) ?? 0 }

  // --- HTTP ---
  #handle (req: IncomingMessage, res: ServerResponse, listener: Listener): void {
    if (this.intercept?.(req, res) === true) return
    const path = (req.url ?? '/').split('?')[0] ?? '/'
    countKey(this.requests, path)
    this.totalRequests++
    keep(this.authHeaders, req.headers.authorization)
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (c: string) => { if (body.length < 65536) body += c })
    req.on('end', () => {
      const faulty = this.#fault.hits(path)
      if (faulty && this.#applyFault(req, res)) return
      const a = listener === 'dashboard'
        ? routeDashboard(this.#routeContext(), req.method ?? 'GET', req.url ?? '/', req.headers.authorization, body)
        : routeApi(this.#routeContext(), req.method ?? 'GET', req.url ?? '/', req.headers.authorization, body, req.headers.accept)
      const delay = faulty && this.fault === 'slow' ? this.#fault.slowMs : 0
      const send = (): void => { if (!res.destroyed) this.#send(res, a, faulty) }
      if (delay > 0) setTimeout(send, delay).unref(); else send()
    })
  }

  #send (res: ServerResponse, a: Answer, faulty = true): void { writeAnswer(res, a, faulty ? this.fault : 'none') }

  /** true when the fault took over the answer */
  #applyFault (req: IncomingMessage, res: ServerResponse): boolean {
    return takeOver(req, res, this.fault, faultAnswer(this.fault, this.traits.api, this.#redirectTo))
  }

  #authorized (header: string | undefined): boolean {
    return header === basic(this.#username, this.#password)
  }

  /** `n` MQTT CONNECTs reached the node (counted as EMQX counts `client.connect`, refused ones too). */
  connect (n = 1): void { this.counts.connects += n }

  /** The routing table of the API listener: pure given the node's current model. Public for tests. */
  route (method: string, url: string, authorization: string | undefined, body: string, accept?: string): Answer {
    return routeApi(this.#routeContext(), method, url, authorization, body, accept)
  }

  #routeContext (): RouteContext {
    return {
      traits: this.traits,
      nodeName: this.nodeName,
      running: this.running,
      process: this.process,
      counts: this.counts,
      clusterOperations: this.#clusterOperations,
      cluster: this.cluster,
      monitoring: this.#monitoring,
      prometheusBasicAuth: this.#prometheusBasicAuth,
      durableSessionsEnabled: this.durableSessionsEnabled,
      authorized: (h) => this.#authorized(h),
      dashboardAuthorized: (h) => h === this.#dashboardAuth,
      evacuationCall: (rawNode, start, body) => this.#evacuationCall(rawNode, start, body),
    }
  }

  #evacuationCall (rawNode: string, start: boolean, body: string): Answer {
    let parsed: unknown = body
    try { parsed = body.trim() === '' ? {} : JSON.parse(body) } catch { /* kept as text */ }
    keep(this.evacuationRequests, { op: start ? 'start' : 'stop', node: rawNode, body: parsed, at: Date.now() })
    const target: EvacuationTarget = {
      api: this.traits.api,
      rules: this.traits.startBody,
      nodeName: this.nodeName,
      process: this.process,
      rpcError: this.fault === 'rpc_error',
    }
    const d = evacuationCall(target, rawNode, start, body)
    if (d.action === 'start') this.startEvacuation(d.params)
    else if (d.action === 'stop') this.stopProcess()
    return d.answer
  }
}

function basic (user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
}
