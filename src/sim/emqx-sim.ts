import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createTlsServer } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import { once } from 'node:events'
import { evacuationCall, json, type SimAnswer } from './evacuation-api.js'
import { advanceEvacuation, startEvacuationProcess } from './evacuation-machine.js'
import type { SimFault } from './faults.js'
import { globalStatus, localStatus, unavailable, type EvacuationParams, type NodeCounts, type SimProcess } from './node-model.js'
import { PROFILES, type ProfileTraits, type SimProfile } from './profiles.js'

export interface SimOptions {
  readonly profile?: SimProfile
  readonly nodeName?: string
  /** API key / AppID; default `admin` like 4.4's default app */
  readonly username?: string
  readonly password?: string
  readonly host?: string
  readonly port?: number
  readonly connections?: number
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

export const DEFAULT_EVACUATION: EvacuationParams = { wait_health_check: 60, conn_evict_rate: 500, sess_evict_rate: 500, wait_takeover: 60, redirect_to: '', migrate_to: [] }

type Answer = SimAnswer

/**
 * A test double of one EMQX node's HTTP API that behaves as ../shared/emqx-api-facts.md says:
 * per-version paths, auth rules, bodies and status codes, plus injectable faults. It is also the
 * engine of `emqx-lb-sidecar simulate`, so users can rehearse a load-balancer setup without EMQX.
 */
export class EmqxSim {
  readonly profile: SimProfile
  readonly traits: ProfileTraits
  readonly nodeName: string
  readonly #username: string
  readonly #password: string
  readonly #host: string
  readonly #tls: SimOptions['tls']
  readonly #redirectTo: string
  #port: number
  #server: Server | undefined
  readonly #sockets = new Set<Socket>()
  #fault: SimFault = 'none'
  #slowMs = 2000
  running = true
  #process: SimProcess = { kind: 'none' }
  readonly #timeScale: number
  readonly #realStart = performance.now()
  #advancedMs = 0
  /** evacuation start/stop requests received: node from the path, parsed JSON body */
  readonly evacuationRequests: Array<{ op: 'start' | 'stop', node: string, body: unknown }> = []
  readonly counts: NodeCounts
  /** requests received, by path (without query) */
  readonly requests = new Map<string, number>()
  totalRequests = 0
  /** Authorization headers seen, for tests of what the sidecar sends */
  readonly authHeaders: Array<string | undefined> = []
  /**
   * Requests this returns true for are answered by it before faults and routing apply (the control
   * interface of `emqx-lb-sidecar simulate`, src/sim/control.ts); they are not counted as API requests.
   */
  intercept: ((req: IncomingMessage, res: ServerResponse) => boolean) | undefined

  constructor (o: SimOptions = {}) {
    this.profile = o.profile ?? 'v5'
    this.traits = PROFILES[this.profile]
    this.nodeName = o.nodeName ?? 'emqx@127.0.0.1'
    this.#username = o.username ?? 'admin'
    this.#password = o.password ?? 'public'
    this.#host = o.host ?? '127.0.0.1'
    this.#port = o.port ?? 0
    this.#tls = o.tls
    this.#redirectTo = o.redirectTo ?? 'http://127.0.0.1:9/elsewhere'
    const n = o.connections ?? 0
    this.counts = { connections: n, sessions: n, disconnectedSessions: 0, initialConnections: n, initialSessions: n }
    this.#timeScale = o.timeScale ?? 1
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

  get port (): number { return this.#port }
  get url (): string { return `${this.#tls !== undefined ? 'https' : 'http'}://${this.#host.includes(':') ? `[${this.#host}]` : this.#host}:${this.#port}` }
  get fault (): SimFault { return this.#fault }
  get available (): boolean { return !unavailable(this.process) }

  async listen (): Promise<number> {
    if (this.#server !== undefined) return this.#port
    const handler = (req: IncomingMessage, res: ServerResponse): void => { this.#handle(req, res) }
    const server = this.#tls !== undefined ? createTlsServer({ key: this.#tls.key, cert: this.#tls.cert }, handler) : createServer(handler)
    server.keepAliveTimeout = 30_000
    server.on('connection', (s: Socket) => { this.#sockets.add(s); s.on('close', () => this.#sockets.delete(s)) })
    server.listen(this.#port, this.#host)
    await once(server, 'listening')
    this.#port = (server.address() as AddressInfo).port
    this.#server = server
    return this.#port
  }

  async close (): Promise<void> {
    const server = this.#server
    this.#server = undefined
    if (server === undefined) return
    // Stop listening first, then drop the connections (as a stopping EMQX does): a client that
    // retries after its connection is reset must find the port closed, not a last accept.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    await new Promise((resolve) => setImmediate(resolve))
    for (const s of this.#sockets) s.destroy()
    await closed
  }

  /** Inject a fault. `refuse` closes the listener (same port kept); leaving it listens again. */
  async setFault (fault: SimFault, opts: { slowMs?: number } = {}): Promise<void> {
    if (opts.slowMs !== undefined) this.#slowMs = opts.slowMs
    const was = this.#fault
    this.#fault = fault
    if (fault === 'refuse' && was !== 'refuse') await this.close()
    if (fault !== 'refuse' && was === 'refuse') await this.listen()
  }

  // --- operator actions (what emqx_ctl / the rebalance API would do) ---
  startEvacuation (params: Partial<EvacuationParams> = {}): void {
    this.counts.initialConnections = this.counts.connections
    this.counts.initialSessions = this.counts.sessions
    this.process = startEvacuationProcess({ ...DEFAULT_EVACUATION, ...params }, this.traits.waitsHealthCheck, this.counts, this.now)
  }

  /** Forces a state; an evacuation continues from there with simulated time. */
  setProcessState (state: string): void {
    const p = this.process
    if (p.kind === 'evacuation') this.process = { ...p, state, phaseStartedAt: this.now, phaseStartCount: state === 'evicting_sessions' ? this.counts.disconnectedSessions : this.counts.connections }
    else if (p.kind !== 'none') this.process = { ...p, state }
  }

  becomeDonor (coordinator = this.nodeName, recipients: readonly string[] = ['emqx2@127.0.0.1']): void {
    this.process = { kind: 'rebalance', role: 'donor', state: 'wait_health_check', coordinator, donors: [this.nodeName], recipients }
  }

  becomeRecipient (coordinator = 'emqx2@127.0.0.1', donors: readonly string[] = ['emqx2@127.0.0.1']): void {
    this.process = { kind: 'rebalance', role: 'recipient', state: 'wait_health_check', coordinator, donors, recipients: [this.nodeName] }
  }

  startPurge (): void { this.process = { kind: 'purge', state: 'purging' } }
  stopProcess (): void { this.process = { kind: 'none' } }

  count (path: string): number { return this.requests.get(path) ?? 0 }

  // --- HTTP ---
  #handle (req: IncomingMessage, res: ServerResponse): void {
    if (this.intercept?.(req, res) === true) return
    const path = (req.url ?? '/').split('?')[0] ?? '/'
    this.requests.set(path, (this.requests.get(path) ?? 0) + 1)
    this.totalRequests++
    this.authHeaders.push(req.headers.authorization)
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (c: string) => { if (body.length < 65536) body += c })
    req.on('end', () => {
      if (this.#applyFault(req, res)) return
      const a = this.route(req.method ?? 'GET', req.url ?? '/', req.headers.authorization, body)
      const delay = this.#fault === 'slow' ? this.#slowMs : 0
      const send = (): void => { if (!res.destroyed) this.#send(res, a) }
      if (delay > 0) setTimeout(send, delay).unref(); else send()
    })
  }

  #send (res: ServerResponse, a: Answer): void {
    if (this.#fault === 'http10') {
      // Raw bytes: node's server would answer a 1.1 request in 1.1; an old proxy in front of EMQX would not.
      const head = [`HTTP/1.0 ${a.status} ${STATUS_TEXT[a.status] ?? 'Status'}`, 'server: old-proxy', ...Object.entries(a.headers ?? {}).map(([k, v]) => `${k}: ${v}`)]
      res.socket?.end(`${head.join('\r\n')}\r\n\r\n${a.body}`)
      return
    }
    const headers: Record<string, string | number> = { 'content-length': Buffer.byteLength(a.body), server: 'Cowboy', ...a.headers }
    if (this.#fault === 'drip') {
      res.writeHead(a.status, headers)
      const bytes = Buffer.from(a.body)
      let i = 0
      const t = setInterval(() => {
        if (res.destroyed || i >= bytes.length) { clearInterval(t); res.end(); return }
        res.write(bytes.subarray(i, ++i))
      }, 200)
      t.unref()
      return
    }
    res.writeHead(a.status, headers)
    res.end(a.body)
  }

  /** true when the fault took over the answer */
  #applyFault (req: IncomingMessage, res: ServerResponse): boolean {
    switch (this.#fault) {
      case 'hang': return true
      case 'hang_mid_body':
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': 100 })
        res.write('{"partial":')
        return true
      case 'reset': req.socket.resetAndDestroy(); return true
      case '5xx': this.#send(res, { status: 500, body: 'Internal Server Error', headers: { 'content-type': 'text/plain' } }); return true
      case 'garbage': this.#send(res, { status: 200, body: '<html>surprise</html>', headers: { 'content-type': 'text/html' } }); return true
      case 'garbage_503': this.#send(res, { status: 503, body: '<html><body>503 Service Unavailable</body></html>', headers: { 'content-type': 'text/html' } }); return true
      case 'huge': this.#send(res, { status: 200, body: `{"pad":"${'x'.repeat(1024 * 1024)}"}`, headers: { 'content-type': 'application/json' } }); return true
      case 'redirect': this.#send(res, { status: 302, body: '', headers: { location: this.#redirectTo } }); return true
      case 'auth_reject': this.#send(res, this.#unauthorized()); return true
      case 'forbidden': this.#send(res, json(403, { code: 'FORBIDDEN', message: 'API key has no permission' })); return true
      case 'not_found': this.#send(res, this.#notFound()); return true
      default: return false
    }
  }

  #authorized (header: string | undefined): boolean {
    return header === `Basic ${Buffer.from(`${this.#username}:${this.#password}`).toString('base64')}`
  }

  #unauthorized (): Answer {
    return this.traits.api === 'v5'
      ? { status: 401, body: JSON.stringify({ code: 'BAD_API_KEY_OR_SECRET', message: 'Check api_key/api_secret' }), headers: { 'content-type': 'application/json', 'www-authenticate': 'Basic Realm="emqx-dashboard"' } }
      : { status: 401, body: 'UNAUTHORIZED', headers: { 'content-type': 'text/plain', 'www-authenticate': 'Basic Realm="minirest-server"' } }
  }

  #notFound (): Answer {
    return this.traits.api === 'v5'
      ? json(404, { code: 'NOT_FOUND', message: 'Request Path Not Found' })
      : { status: 404, body: 'Not Found', headers: { 'content-type': 'text/plain' } }
  }

  /** The routing table: pure given the node's current model. Public for tests. */
  route (method: string, url: string, authorization: string | undefined, body: string): Answer {
    const [path = '/', query = ''] = url.split('?')
    const api = this.traits.api
    const jsonFormat = /(^|&)format=json(&|$)/.test(query)
    if (method === 'GET' && (path === '/status' || (api === 'v5' && path === '/api/v5/status'))) return this.#nodeStatus(jsonFormat)
    const prefix = `/api/${api}/load_rebalance/`
    if (!path.startsWith(prefix) || !this.traits.hasRebalance) return this.#notFound()
    const rest = path.slice(prefix.length)
    if (method === 'GET' && rest === 'availability_check') {
      if (this.traits.availabilityNeedsAuth && !this.#authorized(authorization)) return this.#unauthorized()
      if (!unavailable(this.process)) return json(200, {})
      return json(503, api === 'v5' ? { code: 'NODE_EVACUATING', message: 'Node Evacuating' } : {})
    }
    if (!this.#authorized(authorization)) return this.#unauthorized()
    if (method === 'GET' && rest === 'status') return json(200, localStatus(this.process, this.counts))
    if (method === 'GET' && rest === 'global_status') return json(200, globalStatus(this.nodeName, this.process, this.counts, api))
    const m = /^([^/]+)\/evacuation\/(start|stop)$/.exec(rest)
    if (method === 'POST' && m !== null) return this.#evacuationCall(decodeURIComponent(m[1] ?? ''), m[2] === 'start', body)
    return this.#notFound()
  }

  #nodeStatus (jsonFormat: boolean): Answer {
    const headers = { 'retry-after': '15' }
    if (jsonFormat) {
      return { status: this.running ? 200 : 503, body: JSON.stringify({ node_name: this.nodeName, broker_status: this.running ? 'started' : 'stopped', app_status: this.running ? 'running' : 'not_running' }), headers: { ...headers, 'content-type': 'application/json' } }
    }
    const text = `Node ${this.nodeName} is ${this.running ? 'started' : 'stopped'}\nemqx is ${this.running ? 'running' : 'not_running'}`
    return { status: this.running ? 200 : 503, body: text, headers: { ...headers, 'content-type': 'text/plain' } }
  }

  #evacuationCall (node: string, start: boolean, body: string): Answer {
    let parsed: unknown = body
    try { parsed = body.trim() === '' ? {} : JSON.parse(body) } catch { /* kept as text */ }
    this.evacuationRequests.push({ op: start ? 'start' : 'stop', node, body: parsed })
    const d = evacuationCall({ api: this.traits.api, nodeName: this.nodeName, process: this.process, rpcError: this.#fault === 'rpc_error' }, node, start, body)
    if (d.action === 'start') this.startEvacuation(d.params)
    else if (d.action === 'stop') this.stopProcess()
    return d.answer
  }
}

const STATUS_TEXT: Readonly<Record<number, string>> = { 200: 'OK', 401: 'Unauthorized', 404: 'Not Found', 503: 'Service Unavailable' }
