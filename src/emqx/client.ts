import type { EmqxConfig } from '../config/serve-config.js'
import { paths, V4_PORT, type ApiTarget, type ApiVersion } from './api.js'
import { EmqxHttp } from './http.js'
import { classifyEvacuationAnswer, evacuationBody, type EvacuationCall, type EvacuationSettings } from './evacuation.js'
import type { CheckOutcome } from './outcome.js'
import { classifyAvailability, classifyNodeStatus, parseNodeName } from './parse.js'
import { parseGlobalStatus, type ClusterStatus } from './global-status.js'
import { parseLocalRebalance, type LocalRebalance } from './rebalance.js'

export interface CheckResult {
  readonly outcome: CheckOutcome
  readonly durationMs: number
  /** set when this check (re)detected the API */
  readonly detected?: ApiTarget
}

/** How long a node_status fallback is trusted before the rebalance API is looked for again. */
export const FALLBACK_RECHECK_MS = 60_000

interface Candidate { readonly version: ApiVersion, readonly base: URL }

/**
 * Knows where the local EMQX API is and how to ask it. `auto` tries 5.x, then 4.4 (on the same URL,
 * then on port 8081 when the URL was not set explicitly). A 401/403 means "this is the API, but it
 * wants credentials" (5.0.4-5.3, 4.4.12-4.4.23). 404 on every candidate means open-source EMQX:
 * fall back to the node status endpoint, which tells running/not running but not drains.
 */
export class EmqxClient {
  readonly #http: EmqxHttp
  readonly #config: EmqxConfig
  #target: ApiTarget | undefined
  #fallbackSince = 0

  readonly #fallbackRecheckMs: number

  constructor (config: EmqxConfig, http: EmqxHttp = new EmqxHttp(config), opts: { fallbackRecheckMs?: number } = {}) {
    this.#fallbackRecheckMs = opts.fallbackRecheckMs ?? FALLBACK_RECHECK_MS
    this.#config = config
    this.#http = http
  }

  get target (): ApiTarget | undefined { return this.#target }
  get hasCredentials (): boolean { return this.#http.hasCredentials }

  /** Forget the detected API (EMQX may have been replaced or upgraded); the next check detects again. */
  forgetTarget (): void { this.#target = undefined }

  candidates (): Candidate[] {
    const { url, apiVersion, urlExplicit } = this.#config
    if (apiVersion !== 'auto') return [{ version: apiVersion, base: url }]
    const list: Candidate[] = [{ version: 'v5', base: url }, { version: 'v4', base: url }]
    if (!urlExplicit && url.port !== V4_PORT) {
      const v4 = new URL(url.href)
      v4.port = V4_PORT
      list.push({ version: 'v4', base: v4 })
    }
    return list
  }

  async check (): Promise<CheckResult> {
    // A 404 during a restart or an upgrade to an edition with the rebalance API must not disable
    // drain detection for good: the fallback is re-examined every FALLBACK_RECHECK_MS.
    if (this.#target?.mode === 'node_status' && performance.now() - this.#fallbackSince >= this.#fallbackRecheckMs) this.#target = undefined
    const target = this.#target
    if (target === undefined) return await this.#detect()
    const { version, base, mode } = target
    const res = await this.#http.get(base, mode === 'rebalance' ? paths.availability(version) : paths.nodeStatus(version))
    if (!res.ok) return { outcome: res.outcome, durationMs: res.durationMs }
    const outcome = mode === 'rebalance' ? classifyAvailability(res.answer) : classifyNodeStatus(res.answer)
    return { outcome, durationMs: res.durationMs }
  }

  async #detect (): Promise<CheckResult> {
    const started = performance.now()
    let firstFailure: CheckOutcome | undefined
    let notFound: Candidate | undefined
    for (const c of this.candidates()) {
      const res = await this.#http.get(c.base, paths.availability(c.version))
      const outcome = res.ok ? classifyAvailability(res.answer) : res.outcome
      if (outcome.kind === 'failure' && outcome.reason === 'not_found') { notFound ??= c; continue }
      // Transport failures and garbage: maybe not this candidate; remember the first for the report.
      if (outcome.kind === 'failure' && outcome.reason !== 'auth') { firstFailure ??= outcome; continue }
      const detected: ApiTarget = { version: c.version, base: c.base, mode: 'rebalance' }
      this.#target = detected
      return { outcome, durationMs: performance.now() - started, detected }
    }
    if (notFound !== undefined) {
      const detected: ApiTarget = { version: notFound.version, base: notFound.base, mode: 'node_status' }
      const res = await this.#http.get(detected.base, paths.nodeStatus(detected.version))
      const outcome = res.ok ? classifyNodeStatus(res.answer) : res.outcome
      // Only an answering node status endpoint proves this is EMQX without the rebalance API; 404
      // everywhere (a proxy routing to the wrong place) must not lock the sidecar into up/down-only mode.
      if (outcome.kind === 'failure') return { outcome, durationMs: performance.now() - started }
      this.#target = detected
      this.#fallbackSince = performance.now()
      return { outcome, durationMs: performance.now() - started, detected }
    }
    return { outcome: firstFailure ?? { kind: 'failure', reason: 'transport', detail: 'no EMQX API candidate answered' }, durationMs: performance.now() - started }
  }

  /** Node name from the unauthenticated node status endpoint; undefined when unknown. */
  async nodeName (): Promise<string | undefined> {
    const t = this.#target
    if (t === undefined) return undefined
    const res = await this.#http.get(t.base, paths.nodeStatus(t.version))
    return res.ok && res.answer.status === 200 ? parseNodeName(res.answer.body) : undefined
  }

  /** Local rebalance/evacuation status; needs credentials. Returns an error text when unreadable. */
  async localRebalance (): Promise<{ value: LocalRebalance } | { error: string }> {
    return await this.#readStatus(paths.localStatus, parseLocalRebalance, 'rebalance status')
  }

  /** GET of an authenticated status document of the rebalance API, parsed; an error text when unreadable. */
  async #readStatus<T> (path: (v: ApiVersion) => string, parse: (body: string) => T | undefined, what: string): Promise<{ value: T } | { error: string }> {
    const t = this.#target
    if (t === undefined || t.mode !== 'rebalance') return { error: 'rebalance API not available' }
    const res = await this.#http.get(t.base, path(t.version))
    if (!res.ok) return { error: res.outcome.kind === 'failure' ? res.outcome.detail : 'request failed' }
    if (res.answer.status !== 200) return { error: `EMQX answered ${res.answer.status} on ${path(t.version)}` }
    const value = parse(res.answer.body)
    return value === undefined ? { error: `unrecognised ${what} answer` } : { value }
  }

  /**
   * Starts (with settings) or stops the evacuation of `node`, which the caller got from nodeName().
   * Never throws; `already_started` / `not_started` come back as ok with `already`.
   */
  async evacuation (op: 'start' | 'stop', node: string, settings?: EvacuationSettings): Promise<EvacuationCall> {
    const t = this.#target
    if (t === undefined || t.mode !== 'rebalance') {
      return { ok: false, code: 'no_api', message: t === undefined ? 'the EMQX API has not answered yet' : 'EMQX has no load_rebalance API (open-source EMQX?): evacuation is not available' }
    }
    const path = paths.evacuation(t.version, node, op)
    const body = op === 'start' && settings !== undefined ? evacuationBody(t.version, settings) : {}
    let res = await this.#http.post(t.base, path, body)
    // undici does not retry a POST on a keep-alive socket the server had closed. Both calls are
    // idempotent here (already_started / not_started count as success), so one retry is safe.
    if (!res.ok && res.outcome.kind === 'failure' && res.outcome.reason === 'reset') res = await this.#http.post(t.base, path, body)
    if (!res.ok) return { ok: false, code: 'transport', message: res.outcome.kind === 'failure' ? res.outcome.detail : 'request failed' }
    return classifyEvacuationAnswer(t.version, op, res.answer)
  }

  /** Cluster-wide evacuations, purges and rebalances; needs credentials. */
  async globalStatus (): Promise<{ value: ClusterStatus } | { error: string }> {
    return await this.#readStatus(paths.globalStatus, parseGlobalStatus, 'global_status')
  }

  async close (): Promise<void> { await this.#http.close() }
}
