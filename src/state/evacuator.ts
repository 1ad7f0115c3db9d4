import { setTimeout as sleep } from 'node:timers/promises'
import type { Logger } from 'pino'
import type { EvacuationConfig } from '../config/serve-types.js'
import type { EmqxClient } from '../emqx/client.js'
import type { AckWaitProgress, EvacuationPhase, EvacuationProgress } from './evacuation-types.js'
import type { AckPort } from './ack-port.js'
import { checkDeadline, foldStatus, isFinal } from './evacuation-progress.js'
import { askToStart } from './evacuation-start.js'
import { stopLeftoverEvacuation } from './leftover-evacuation.js'
import type { Store } from './store.js'
import { LogEvents, type LogEvent } from '../errors.js'

export interface EvacuatorOptions {
  readonly client: EmqxClient
  readonly store: Store
  readonly log: Logger
  readonly config: EvacuationConfig
  /** how often the local rebalance status is read while evacuating */
  readonly pollIntervalMs: number
  readonly now?: () => number
  /** the acknowledged wait (--evacuation-ack; ./ack-port.ts, made by src/ack/wait.ts ackPort); without it EMQX waits blind */
  readonly ack?: AckPort
  /** the stall rule's time (./evacuation-progress.ts SESSION_STALL_MS); shorter in tests */
  readonly sessionStallMs?: number
}

/**
 * The smallest wait_health_check EMQX takes: `emqx_schema:timeout_duration_s()` is `0..4294967` on every
 * line with the field (e5.1.0 on), and a 0 s state_timeout starts the eviction at once
 * (apps/emqx_node_rebalance/src/emqx_node_rebalance_evacuation.erl). docs/emqx-compatibility.md has the evidence.
 */
export const MIN_WAIT_HEALTH_CHECK_S = 0

/** The event of an evacuation's last line: `done` and `deadline` by name, anything else logs as a failure. */
function finishEvent (phase: EvacuationPhase): LogEvent {
  return phase === 'done' ? LogEvents.EVACUATION_DONE : phase === 'deadline' ? LogEvents.EVACUATION_DEADLINE : LogEvents.EVACUATION_FAILED
}

export type StopResult = { ok: true, already: boolean } | { ok: false, error: string }

/**
 * Evacuates the local EMQX node on request (POST /admin/evacuate, GET /prestop) and follows it until
 * EMQX reports it finished or the deadline passes. The override is set before EMQX is called, so the
 * node answers 503 from the very first moment. The node name always comes from EMQX itself.
 * Thin I/O around the pure folds in ./evacuation-progress.ts; a leftover evacuation is stopped by
 * ./leftover-evacuation.ts.
 */
export class Evacuator {
  readonly #o: EvacuatorOptions
  readonly #now: () => number
  #run: Promise<EvacuationProgress> | undefined
  #abort = new AbortController()

  constructor (options: EvacuatorOptions) {
    this.#o = options
    this.#now = options.now ?? Date.now
  }

  get progress (): EvacuationProgress | undefined { return this.#o.store.current.overrides.evacuation }

  /**
   * Starts the evacuation, or joins the one under way; resolves with its final progress. Idempotent:
   * a finished (done) evacuation is returned as is; after a failure or a passed deadline it starts over.
   */
  async start (by: string): Promise<EvacuationProgress> {
    if (this.#run !== undefined) return await this.#run
    const prev = this.progress
    if (prev?.phase === 'done') return prev
    const now = this.#now()
    this.#update({ phase: 'starting', by, startedAt: now, deadlineAt: now + this.#o.config.timeoutMs })
    this.#abort = new AbortController()
    this.#run = this.#execute(this.#abort.signal).finally(() => { this.#run = undefined })
    return await this.#run
  }

  /** Resolves when no evacuation is being followed (for shutdown). */
  async settled (): Promise<void> { await this.#run?.catch(() => undefined) }

  /** Stops following (shutdown); EMQX's evacuation itself goes on. */
  cancel (): void { this.#abort.abort() }

  /** Stops the evacuation in EMQX (`not_started` counts as stopped) and clears the override. */
  async stop (by: string): Promise<StopResult> {
    const { client, store, log } = this.#o
    this.#abort.abort()
    await this.#run?.catch(() => undefined)
    const node = await this.#nodeName()
    if (node === undefined) return { ok: false, error: 'the EMQX node name is not known yet (EMQX has not answered)' }
    const r = await client.evacuation('stop', node)
    if (!r.ok) {
      log.error({ event: LogEvents.EVACUATION_STOP_FAILED, node, code: r.code, by }, `could not stop the evacuation: ${r.message}`)
      return { ok: false, error: r.message }
    }
    store.setOverride('evacuation', undefined, this.#now())
    log.info({ event: LogEvents.EVACUATION_STOPPED, node, by, already: r.already },
      r.already ? 'no evacuation was running in EMQX; override cleared' : 'evacuation stopped in EMQX; override cleared')
    return { ok: true, already: r.already }
  }

  /** --evacuation-stop-on-start: stops an evacuation EMQX resumed after a restart (./leftover-evacuation.ts). */
  async stopLeftover (signal: AbortSignal): Promise<'stopped' | 'none' | 'failed'> {
    return await stopLeftoverEvacuation(this.#o, signal)
  }

  async #execute (signal: AbortSignal): Promise<EvacuationProgress> {
    const { client, log, config } = this.#o
    const node = await this.#nodeName()
    if (node === undefined) return this.#fail('the EMQX node name is not known (EMQX has not answered yet)')
    this.#patch({ node })
    // Acknowledged: the sidecar itself holds the drain until the load balancers have been told, then EMQX
    // evicts at once; `held` says the wait_health_check time has been served here.
    const held = await this.#awaitAck(signal)
    if (held === undefined) return this.#current()
    const settings = held ? { ...config.settings, waitHealthCheckS: MIN_WAIT_HEALTH_CHECK_S } : config.settings
    // e5.0.4 and 4.4 before its wait phase refuse wait_health_check: EMQX would evict at once, while load
    // balancers still send new clients. The sidecar already answers 503, so it gives them that time itself.
    const hold = async (version: string): Promise<boolean> => await this.#holdHealthCheck(node, version, signal)
    const started = await askToStart({ client, log, node, settings, held, hold })
    if (started === undefined) return this.#current()
    const { call: r, waitS } = started
    if (!r.ok) return this.#fail(r.message, r.code)
    const eviction = r.already ? {} : { waitHealthCheckS: waitS, evictionStartsAt: this.#now() + waitS * 1000 }
    this.#patch({ phase: 'running', alreadyStarted: r.already, ...eviction })
    const deadline = new Date(this.#current().deadlineAt).toISOString()
    log.info({ event: LogEvents.EVACUATION_STARTED, node, already: r.already, settings: config.settings, deadline },
      r.already ? 'evacuation was already running in EMQX: following it' : 'EMQX started evacuating this node')
    for (;;) {
      const read = await client.localRebalance()
      const before = this.#current()
      let next = before
      if ('value' in read) {
        this.#o.store.setDetails({ rebalance: read.value, rebalanceError: undefined })
        next = foldStatus(before, read.value, this.#now(), this.#o.sessionStallMs, client.durableSessions)
      } else {
        next = { ...before, error: `progress not readable: ${read.error}` }
      }
      next = checkDeadline(next, this.#now())
      this.#update(next)
      if (next.emqxState !== before.emqxState) {
        const { emqxState, connections, sessions } = next
        log.info({ event: LogEvents.EVACUATION_PROGRESS, node, emqxState, connections, sessions },
          `evacuation: ${next.emqxState ?? 'unknown state'}`)
      }
      if (isFinal(next)) return this.#finish(next)
      if (!await this.#pause(Math.min(this.#o.pollIntervalMs, Math.max(1, this.#left())), signal)) return this.#current()
    }
  }

  /**
   * --evacuation-ack on: waits, through the AckPort, until the drain is acknowledged (the rule: src/checkers/rule.ts;
   * each look: src/ack/decide.ts). true: the wait was held here (EMQX gets the smallest wait_health_check);
   * false: nothing to confirm, EMQX (or, on lines without the field, #holdHealthCheck) waits the
   * configured time blind; undefined: aborted.
   */
  async #awaitAck (signal: AbortSignal): Promise<boolean | undefined> {
    const { config, ack } = this.#o
    const maxMs = config.settings.waitHealthCheckS * 1000
    if (!config.ack.enabled || maxMs <= 0) return false
    const start = this.#current()
    if (ack === undefined || !ack.canWait()) {
      const blind: AckWaitProgress = {
        stage: 'ended',
        expect: config.ack.expectCheckers,
        known: 0,
        told: 0,
        awaited: [],
        maxAt: start.startedAt + maxMs,
        endedBy: 'no_checkers',
        endedAt: this.#now(),
      }
      this.#patch({ ack: blind })
      this.#o.log.info({ event: LogEvents.EVACUATION_ACK_ENDED, endedBy: 'no_checkers', seconds: 0 },
        `no load-balancer checker seen: EMQX waits the whole wait_health_check (${config.settings.waitHealthCheckS}s) blind`)
      return false
    }
    this.#patch({ phase: 'awaiting_ack' })
    const out = await ack.wait({
      startedAt: start.startedAt,
      maxMs: Math.min(maxMs, start.deadlineAt - start.startedAt),
      signal,
      onProgress: (p) => { this.#patch({ ack: p }) },
    })
    if (out === undefined) return undefined
    // the evacuation deadline cut the wait short: EMQX is not asked to evict before the load balancers had
    // their time (as for the 4.4 hold); the node keeps draining and the deadline is reported
    const late = checkDeadline(this.#current(), this.#now())
    if (late !== this.#current()) { this.#update(late); this.#finish(late); return undefined }
    this.#patch({ phase: 'starting' })
    return true
  }

  /** Serves 503 for wait_health_check before EMQX is asked; false when aborted or past the deadline. */
  async #holdHealthCheck (node: string, version: string, signal: AbortSignal): Promise<boolean> {
    const seconds = this.#o.config.settings.waitHealthCheckS
    if (seconds <= 0) return true
    this.#patch({ emqxState: 'sidecar_waiting_health_check' })
    this.#o.log.info({ event: LogEvents.EVACUATION_WAIT, node, seconds },
      `${version}: draining for wait_health_check before asking EMQX to evacuate`)
    return await this.#pause(Math.min(seconds * 1000, this.#left()), signal)
  }

  #finish (p: EvacuationProgress): EvacuationProgress {
    const seconds = ((p.finishedAt ?? this.#now()) - p.startedAt) / 1000
    const ctx = {
      event: finishEvent(p.phase), node: p.node, emqxState: p.emqxState, connections: p.connections, sessions: p.sessions, seconds,
    }
    const note = p.sessionsNote !== undefined ? ` (${p.sessionsNote})` : ''
    if (p.phase === 'done') {
      this.#o.log.info({ ...ctx, doneReason: p.doneReason }, `evacuation finished after ${seconds}s: the node can be stopped${note}`)
    } else if (p.phase === 'deadline') this.#o.log.warn(ctx, `evacuation deadline passed after ${seconds}s; still draining`)
    else this.#o.log.error({ ...ctx, error: p.error }, `evacuation failed: ${p.error ?? 'unknown'}`)
    return p
  }

  #fail (error: string, code?: string): EvacuationProgress {
    const p: EvacuationProgress = { ...this.#current(), phase: 'failed', finishedAt: this.#now(), error }
    this.#update(p)
    if (code !== undefined) this.#o.log.error({ event: LogEvents.EVACUATION_CALL_FAILED, code }, `EMQX evacuation start failed (${code})`)
    return this.#finish(p)
  }

  /** false when aborted or past the deadline (and then the progress says so) */
  async #pause (ms: number, signal: AbortSignal): Promise<boolean> {
    try { await sleep(ms, undefined, { signal }) } catch { return false }
    const p = checkDeadline(this.#current(), this.#now())
    if (p !== this.#current()) { this.#update(p); this.#finish(p); return false }
    return true
  }

  #left (): number { return Math.max(0, this.#current().deadlineAt - this.#now()) }

  async #nodeName (): Promise<string | undefined> {
    return this.#o.store.current.nodeName ?? await this.#o.client.nodeName()
  }

  #current (): EvacuationProgress {
    const p = this.progress
    if (p === undefined) throw new Error('evacuation override missing')
    return p
  }

  #patch (fields: Partial<EvacuationProgress>): void { this.#update({ ...this.#current(), ...fields }) }

  #update (p: EvacuationProgress): void {
    this.#o.store.setOverride('evacuation', p, this.#now())
  }
}
