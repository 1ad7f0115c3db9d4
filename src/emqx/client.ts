import type { EmqxConfig } from '../config/serve-types.js'
import { paths, V4_PORT, type ApiTarget, type ApiVersion } from './api.js'
import { saysNotRunning } from './detect.js'
import { ConnectReader, type ConnectRead } from './connects.js'
import type { CounterSelection } from './counter-sources.js'
import { detectionRound, type Candidate } from './detection-round.js'
import { EmqxHttp } from './http.js'
import { classifyEvacuationAnswer, evacuationBody, type EvacuationBodyOptions, type EvacuationCall } from './evacuation.js'
import type { EvacuationSettings } from '../config/serve-types.js'
import { failure, type CheckOutcome } from './outcome.js'
import { classifyAvailability, classifyNodeStatus, CREDENTIALS_HINT, parseNodeName, SCOPE_HINT } from './parse.js'
import { parseGlobalStatus, type ClusterStatus } from './global-status.js'
import { parseLocalRebalance, type LocalRebalance } from './rebalance.js'
import { MembershipReader, type MembershipRead } from './membership-reader.js'
import { keyRefusal, KeyRefusals, type KeyedRead } from './key-refusals.js'

export interface CheckResult {
  readonly outcome: CheckOutcome
  readonly durationMs: number
  /** set when this check (re)detected the API */
  readonly detected?: ApiTarget
  /** why the rebalance API was ruled out (set with a node_status `detected`) */
  readonly evidence?: readonly string[]
}

/** How long a node_status fallback is trusted before the rebalance API is looked for again. */
export const FALLBACK_RECHECK_MS = 60_000
/** Detection rounds in a row that must find clean evidence of no rebalance API before falling back. */
export const ABSENT_ROUNDS_TO_FALL_BACK = 2
/** In rebalance mode, every Nth check also reads the node status, so EMQX's own "not running" is seen. */
export const NODE_STATUS_EVERY = 5
/** EMQX requests per poll interval in rebalance mode (the availability check, plus node status every Nth). */
export const REQUESTS_PER_POLL = 1 + 1 / NODE_STATUS_EVERY

/** A status document of the rebalance API, parsed, or why it could not be read. */
type StatusRead<T> = { value: T } | { error: string }

/**
 * Knows where the local EMQX API is and how to ask it (docs/emqx-compatibility.md, "Detection").
 * Detection is sticky and fails closed: once found, a rebalance API is kept through timeouts, resets,
 * garbage and 5xx (they are failures under the normal rules). Only clean evidence (a 404 from a node
 * whose status endpoint names it, or nothing listening) seen in ABSENT_ROUNDS_TO_FALL_BACK rounds in a
 * row moves to the open-source node-status fallback, which can say up/down but not drains.
 */
export class EmqxClient {
  readonly #http: EmqxHttp
  readonly #config: EmqxConfig
  readonly #v4Port: string
  #target: ApiTarget | undefined
  #fallbackSince = 0
  #absentRounds = 0
  /** the detected API answered 404 on availability_check: look again at the next check */
  #recheck = false
  #checks = 0
  /** EMQX's node status last said "emqx is not_running" (rebalance mode) */
  #notRunning = false
  #nodeStatusRead: Promise<void> | undefined
  #connects: ConnectReader
  readonly #membership: MembershipReader
  /** 401/403 on the reads that send the key, standing until that read is answered again (key-refusals.ts) */
  readonly keyRefusals = new KeyRefusals()

  readonly #fallbackRecheckMs: number

  constructor (config: EmqxConfig, http: EmqxHttp = new EmqxHttp(config), opts: { fallbackRecheckMs?: number, v4Port?: number } = {}) {
    this.#fallbackRecheckMs = opts.fallbackRecheckMs ?? FALLBACK_RECHECK_MS
    this.#connects = new ConnectReader(http)
    this.#membership = new MembershipReader(http)
    this.#v4Port = String(opts.v4Port ?? V4_PORT)
    this.#config = config
    this.#http = http
  }

  get target (): ApiTarget | undefined { return this.#target }
  get hasCredentials (): boolean { return this.#http.hasCredentials }

  /**
   * `auto` with the default URL: 5.x on it, then 4.4 on 8081 only. 18083 on 4.4 is the dashboard
   * (dashboard-user login, no /status, no node name): 4.4 is reached on its management port. With an
   * explicit URL, both generations are tried on that URL.
   */
  candidates (): Candidate[] {
    const { url, apiVersion, urlExplicit } = this.#config
    if (apiVersion !== 'auto') return [{ version: apiVersion, base: url }]
    if (urlExplicit || url.port === this.#v4Port) return [{ version: 'v5', base: url }, { version: 'v4', base: url }]
    const v4 = new URL(url.href)
    v4.port = this.#v4Port
    return [{ version: 'v5', base: url }, { version: 'v4', base: v4 }]
  }

  async check (): Promise<CheckResult> {
    const started = performance.now()
    const target = this.#target
    const recheckFallback = target?.mode === 'node_status' && performance.now() - this.#fallbackSince >= this.#fallbackRecheckMs
    if (target === undefined || this.#recheck || recheckFallback) {
      const r = await detectionRound(this.#http, this.candidates())
      const took = (): number => performance.now() - started
      if (r.kind === 'found') {
        this.#absentRounds = 0
        this.#recheck = false
        if (!sameTarget(target, r.target)) this.#notRunning = false
        this.#target = r.target
        const changed = !sameTarget(target, r.target)
        return { outcome: this.#explain(r.outcome, r.target), durationMs: took(), ...(changed ? { detected: r.target } : {}) }
      }
      if (target?.mode === 'node_status') {
        // Still no rebalance API (or no answer): the fallback holds; read the node status as usual.
        this.#fallbackSince = performance.now()
      } else if (r.kind === 'unknown') {
        this.#absentRounds = 0
        return { outcome: r.outcome, durationMs: took() }
      } else if (++this.#absentRounds < ABSENT_ROUNDS_TO_FALL_BACK) {
        const detail = `EMQX answered 404 on the load_rebalance API (${r.evidence.join('; ')}); ` +
          'confirming before falling back to node status'
        return { outcome: failure('not_found', detail, 404), durationMs: took() }
      } else {
        this.#recheck = false
        this.#target = r.target
        this.#fallbackSince = performance.now()
        return { outcome: r.outcome, durationMs: took(), detected: r.target, evidence: r.evidence }
      }
    }
    return await this.#checkTarget(started)
  }

  async #checkTarget (started: number): Promise<CheckResult> {
    const t = this.#target
    if (t === undefined) return { outcome: failure('transport', 'no EMQX API detected'), durationMs: 0 }
    if (t.mode === 'node_status') {
      const res = await this.#http.get(t.base, paths.nodeStatus(t.version))
      return { outcome: res.ok ? classifyNodeStatus(res.answer) : res.outcome, durationMs: performance.now() - started }
    }
    // availability_check only speaks for the eviction agent; EMQX's own "not running" comes from the
    // node status endpoint, read every NODE_STATUS_EVERY checks so the request rate stays bounded. The
    // read runs beside the check and never delays it: a slow answer counts at the next check.
    if (this.#checks++ % NODE_STATUS_EVERY === NODE_STATUS_EVERY - 1) this.#readNodeStatus(t)
    const res = await this.#http.get(t.base, paths.availability(t.version))
    const durationMs = performance.now() - started
    if (this.#notRunning) return { outcome: { kind: 'not_running' }, durationMs }
    const outcome = res.ok ? classifyAvailability(res.answer) : res.outcome
    // A clean 404 from the detected API (EMQX replaced by another version or edition) triggers a new
    // detection round; anything else is a failure under the normal rules and never changes the API.
    if (outcome.kind === 'failure' && outcome.reason === 'not_found') this.#recheck = true
    return { outcome: this.#explain(outcome, t), durationMs }
  }

  /** Starts a node status read unless one is under way; only a clean answer changes what is known. */
  #readNodeStatus (t: ApiTarget): void {
    if (this.#nodeStatusRead !== undefined) return
    this.#nodeStatusRead = this.#http.get(t.base, paths.nodeStatus(t.version)).then((r) => {
      if (r.ok && (r.answer.status === 200 || saysNotRunning(r.answer))) this.#notRunning = r.answer.status !== 200
    }).finally(() => { this.#nodeStatusRead = undefined })
  }

  /**
   * Open-source 4.4 checks login before routing: without credentials its load_rebalance paths answer
   * 401 too, so a 401 there cannot tell "credentials needed" from "no rebalance API". Say both.
   */
  #explain (outcome: CheckOutcome, t: ApiTarget): CheckOutcome {
    if (outcome.kind !== 'failure' || outcome.reason !== 'auth' || outcome.httpStatus !== 401) return outcome
    if (t.version !== 'v4' || this.hasCredentials) return outcome
    return failure('auth', 'EMQX 4.4 answered 401: credentials needed, or open-source EMQX (which answers 401 before 404 without login); ' +
      `set an AppID and AppSecret to tell (${CREDENTIALS_HINT})`, 401)
  }

  /** Node name from the unauthenticated node status endpoint; undefined when unknown. */
  async nodeName (): Promise<string | undefined> {
    const t = this.#target
    if (t === undefined) return undefined
    const res = await this.#http.get(t.base, paths.nodeStatus(t.version))
    return res.ok && res.answer.status === 200 ? parseNodeName(res.answer.body) : undefined
  }

  /** Local rebalance/evacuation status; needs credentials. Returns an error text when unreadable. */
  async localRebalance (): Promise<StatusRead<LocalRebalance>> {
    return await this.#readStatus(paths.localStatus, parseLocalRebalance, 'rebalance status', 'rebalance_status')
  }

  /** GET of an authenticated status document of the rebalance API, parsed; an error text when unreadable. */
  async #readStatus<T> (
    path: (v: ApiVersion) => string,
    parse: (body: string) => T | undefined,
    what: string,
    read: KeyedRead
  ): Promise<StatusRead<T>> {
    const t = this.#target
    if (t === undefined || t.mode !== 'rebalance') return { error: 'rebalance API not available' }
    const res = await this.#http.get(t.base, path(t.version))
    if (!res.ok) return { error: res.outcome.kind === 'failure' ? res.outcome.detail : 'request failed' }
    this.#noteKey(read, path(t.version), res.answer.status, t.version)
    const scope = res.answer.status === 403 ? `: ${SCOPE_HINT}` : ''
    if (res.answer.status !== 200) return { error: `EMQX answered ${res.answer.status} on ${path(t.version)}${scope}` }
    const value = parse(res.answer.body)
    return value === undefined ? { error: `unrecognised ${what} answer` } : { value }
  }

  /**
   * Starts (with settings, whose body evacuationBody() shapes per version) or stops the evacuation
   * of `node`, which the caller got from nodeName(). Never throws; `already_started` / `not_started`
   * come back as ok with `already`.
   */
  async evacuation (
    op: 'start' | 'stop',
    node: string,
    settings?: EvacuationSettings,
    opts: EvacuationBodyOptions = {}
  ): Promise<EvacuationCall> {
    const t = this.#target
    if (t === undefined || t.mode !== 'rebalance') {
      const message = t === undefined
        ? 'the EMQX API has not answered yet'
        : 'EMQX has no load_rebalance API (open-source EMQX?): evacuation is not available'
      return { ok: false, code: 'no_api', message }
    }
    const path = paths.evacuation(t.version, node, op)
    const body = op === 'start' && settings !== undefined ? evacuationBody(t.version, settings, opts) : {}
    let res = await this.#http.post(t.base, path, body)
    // undici does not retry a POST on a keep-alive socket the server had closed. Both calls are
    // idempotent here (already_started / not_started count as success), so one retry is safe.
    if (!res.ok && res.outcome.kind === 'failure' && res.outcome.reason === 'reset') res = await this.#http.post(t.base, path, body)
    if (!res.ok) return { ok: false, code: 'transport', message: res.outcome.kind === 'failure' ? res.outcome.detail : 'request failed' }
    return classifyEvacuationAnswer(t.version, op, res.answer)
  }

  /** Cluster-wide evacuations, purges and rebalances; needs credentials. */
  async globalStatus (): Promise<StatusRead<ClusterStatus>> {
    return await this.#readStatus(paths.globalStatus, parseGlobalStatus, 'global_status', 'global_status')
  }

  /** This node's view of its cluster (membership.ts), on any detected API (open-source too); needs credentials. */
  async membership (self: string | undefined): Promise<MembershipRead> {
    const t = this.#target
    const r = await this.#membership.read(t, self)
    const status = 'view' in r ? 200 : r.status
    if (t !== undefined && status !== undefined) this.#noteKey('cluster', paths.cluster(t.version), status, t.version)
    return r
  }

  /** The node's CONNECT counter (connects.ts); never throws, an unreadable counter is an error text. */
  async connects (node: string | undefined): Promise<ConnectRead> {
    const r = await this.#connects.read(this.#target, node)
    if (r.ok) this.keyRefusals.note('metrics', null)
    else if (r.refused !== undefined) this.keyRefusals.note('metrics', r.refused)
    return r
  }

  /** A 2xx clears the read's refusal, a 401/403 sets it; any other answer says nothing about the key. */
  #noteKey (read: KeyedRead, path: string, status: number, version: ApiVersion): void {
    if (status >= 200 && status < 300) this.keyRefusals.note(read, null)
    const r = keyRefusal(read, path, status, { version, withKey: this.hasCredentials })
    if (r !== undefined) this.keyRefusals.note(read, r)
  }

  /** Durable sessions enabled, as the last counter read showed it (connects.ts); undefined: not known. */
  get durableSessions (): boolean | undefined { return this.#connects.durableSessions }
  /** Which source the counter is read from on the detected API, and why not the others (counter-sources.ts). */
  connectCounter (): CounterSelection { return this.#connects.selection(this.#target) }

  async close (): Promise<void> { await this.#http.close() }
}

function sameTarget (a: ApiTarget | undefined, b: ApiTarget): boolean {
  return a !== undefined && a.version === b.version && a.base.href === b.base.href && a.mode === b.mode
}
