import type { Logger } from 'pino'
import type { EmqxClient } from '../emqx/client.js'
import type { Heartbeat } from './heartbeat.js'
import type { Snapshot } from './model.js'
import type { Store } from './store.js'
import type { CheckEvent } from './transition.js'
import { LogCodes } from '../errors.js'
import { Loop } from '../loop.js'

export interface MonitorOptions {
  readonly client: EmqxClient
  readonly store: Store
  readonly pollIntervalMs: number
  readonly failureThreshold: number
  readonly log: Logger
  readonly now?: () => number
  /** beaten as each check starts, for /livez */
  readonly heartbeat?: Heartbeat
}

/**
 * Polls EMQX at a fixed rate (a check starts every poll interval, measured from the start of the
 * previous one, so a flip is seen within one interval plus one request) and writes the store.
 * Logs once per change of state or failure reason, never once per poll (except at trace level).
 */
export class Monitor {
  readonly #o: MonitorOptions
  readonly #now: () => number
  readonly #loop: Loop
  #detailsInFlight: Promise<void> | undefined

  constructor (options: MonitorOptions) {
    this.#o = options
    this.#now = options.now ?? Date.now
    // tick() handles EMQX's failures itself; onError is for bugs in listeners, which must not stop polling
    this.#loop = new Loop({
      intervalMs: options.pollIntervalMs,
      step: async () => { await this.tick() },
      onError: this.#unexpected('check'),
      onStep: () => { options.heartbeat?.beat() },
    })
  }

  start (): void { this.#loop.start() }

  async stop (): Promise<void> {
    this.#o.heartbeat?.rest()
    await this.#loop.stop()
    await this.#detailsInFlight
  }

  /** One check: ask EMQX, apply the answer, log what changed. Exposed for tests. Never throws. */
  async tick (): Promise<void> {
    const { client, store, log, failureThreshold } = this.#o
    const result = await client.check()
    const at = this.#now()
    if (result.detected !== undefined) {
      const api = result.detected
      const known = store.current.api
      store.setDetails({ api })
      // Re-detection after an outage (or the periodic fallback re-check) finding the same API is not news.
      if (known?.version !== api.version || known.base.href !== api.base.href || known.mode !== api.mode) {
        log.info({ apiVersion: api.version, url: api.base.href, mode: api.mode }, 'EMQX API detected')
      }
      if (api.mode === 'node_status' && known?.mode !== 'node_status') {
        log.warn({ code: LogCodes.EMQX_REBALANCE_API_MISSING, evidence: result.evidence },
          'EMQX has no load_rebalance API (open-source EMQX?): falling back to the node status endpoint; ' +
          'drains and evacuations cannot be detected')
      }
      client.nodeName().then((nodeName) => { if (nodeName !== undefined) store.setDetails({ nodeName }) })
        .catch(this.#unexpected('node name lookup'))
    }
    const event: CheckEvent = { outcome: result.outcome, at, durationMs: result.durationMs }
    const prev = store.current
    const next = store.applyCheck(event, failureThreshold)
    // every check at trace level (off by default): where a log reader sees the successes between failures
    const failure = result.outcome.kind === 'failure' ? { failure: result.outcome.reason } : {}
    log.trace({ outcome: result.outcome.kind, ...failure, durationMs: Math.round(result.durationMs) }, `EMQX check: ${result.outcome.kind}`)
    this.#logChange(prev, next)
    this.#maybeFetchDetails(next)
  }

  /** For bugs (a store listener that throws): logged, never an unhandled rejection, and the loop goes on. */
  #unexpected (what: string): (err: unknown) => void {
    return (err) => { this.#o.log.error({ err, code: LogCodes.INTERNAL_ERROR }, `${what} failed unexpectedly`) }
  }

  #logChange (prev: Snapshot, next: Snapshot): void {
    const { log } = this.#o
    const ctx = { state: next.state, reason: next.reason, previousState: prev.state }
    const observedMoved = prev.observed.state !== next.observed.state || prev.observed.reason !== next.observed.reason
    if (next.observed !== prev.observed && next.reason !== next.observed.reason && observedMoved) {
      // An override (drain switch, evacuation) hides EMQX's own changes from the served state: say them anyway.
      log.info({ ...ctx, emqxState: next.observed.state, emqxReason: next.observed.reason },
        `EMQX alone would now say ${next.observed.state} (${next.observed.message}); still serving ${next.state} (${next.reason})`)
    }
    if (prev.state !== next.state || prev.reason !== next.reason) {
      if (next.reason === 'emqx_auth') log.error({ ...ctx, code: LogCodes.EMQX_AUTH }, `configuration error: ${next.message}`)
      else if (next.state === 'down') log.warn(ctx, `node is down: ${next.message}`)
      else log.info(ctx, `node is ${next.state}: ${next.message}`)
      return
    }
    const failed = next.lastCheck?.failureReason
    if (failed !== undefined && next.state !== 'down' && prev.lastCheck?.failureReason !== failed) {
      const level = failed === 'auth' ? 'error' : 'warn'
      const threshold = this.#o.failureThreshold
      log[level]({ ...ctx, failure: failed, consecutiveFailures: next.consecutiveFailures, threshold },
        `EMQX check failed (${next.lastCheck?.detail ?? failed}); keeping state ${next.state} until ${threshold} failures in a row`)
    }
  }

  /**
   * Local rebalance status is read only while it can be interesting, so the steady-state cost stays one
   * request per poll.
   */
  #maybeFetchDetails (s: Snapshot): void {
    const { client, store } = this.#o
    if (this.#detailsInFlight !== undefined || s.api?.mode !== 'rebalance') return
    if (!client.hasCredentials) {
      const rebalanceError = 'no EMQX credentials configured: local rebalance status not readable'
      if (s.rebalanceError === undefined) store.setDetails({ rebalanceError })
      return
    }
    // While the sidecar follows its own evacuation, the evacuator reads the status itself.
    const phase = s.overrides.evacuation?.phase
    const following = phase === 'starting' || phase === 'awaiting_ack' || phase === 'running'
    const neverRead = s.rebalance === undefined && s.rebalanceError === undefined
    const wanted = !following && (s.observed.state === 'draining' || s.rebalance?.status === 'enabled' || neverRead)
    if (!wanted || !s.emqxAnswered) return
    this.#detailsInFlight = client.localRebalance().then((r) => {
      store.setDetails('value' in r ? { rebalance: r.value, rebalanceError: undefined } : { rebalanceError: r.error })
    }).catch(this.#unexpected('rebalance status read')).finally(() => { this.#detailsInFlight = undefined })
  }
}
