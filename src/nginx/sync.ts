import { EventEmitter } from 'node:events'
import type { Logger } from 'pino'
import type { NginxSyncConfig } from './config.js'
import { ErrorCodes, LogEvents, type ErrorCode, type LogEvent } from '../errors.js'
import { Loop } from '../loop.js'
import { applyUpstream, readCurrent, type ApplyOptions, type ApplyResult, type ApplyStage } from './apply.js'
import { attempted, decide, initialDebounce, type DebounceState, type Decision } from './debounce.js'
import { renderNjsState, staleAfterMs, writeNjsState } from './njs-state.js'
import type { SidecarProber, ProbeResult } from './probe.js'
import { downInText, renderUpstream, type Rendered } from './render.js'

const STAGE_CODES: Record<ApplyStage, ErrorCode> = {
  write: ErrorCodes.NGINX_WRITE_FAILED,
  check: ErrorCodes.NGINX_CHECK_FAILED,
  reload: ErrorCodes.NGINX_RELOAD_FAILED,
}

const STAGE_EVENTS: Record<ApplyStage, LogEvent> = {
  write: LogEvents.WRITE_FAILED,
  check: LogEvents.CHECK_FAILED,
  reload: LogEvents.RELOAD_FAILED,
}

export interface SyncEvents {
  probe: [address: string, result: ProbeResult]
  /** every attempt to change nginx, with what was wanted */
  apply: [result: ApplyResult, rendered: Rendered]
  /** entered (true) or left (false) the all-unavailable fail-safe */
  failsafe: [active: boolean]
  /** njs mode: each write of the state file, and whether it worked */
  state: [ok: boolean]
}

export interface NodeView {
  readonly address: string
  readonly sidecarUrl: string
  readonly last: ProbeResult | undefined
  /** what nginx runs with: false when the node is written `down` in the applied file */
  readonly inUpstream: boolean
}

/**
 * The loop: ask every sidecar -> render -> debounce -> write, `nginx -t`, reload. Fixed-rate like the
 * sidecar's monitor. Logs once per change (node flips, fail-safe, applies), never once per poll.
 */
export class NginxSync extends EventEmitter<SyncEvents> {
  readonly #c: NginxSyncConfig
  readonly #prober: SidecarProber
  readonly #log: Logger
  readonly #apply: (text: string) => Promise<ApplyResult>
  #last = new Map<string, ProbeResult>()
  #debounce: DebounceState = initialDebounce(undefined)
  #appliedDown: string[] = []
  #wanted: Rendered | undefined
  #decision: Decision = { action: 'none' }
  #failsafe = false
  #lastReloadAt: number | undefined
  #lastError: string | undefined
  #stateWrittenAt: number | undefined
  #stateFailing = false
  #first = true
  readonly #loop: Loop

  constructor (config: NginxSyncConfig, prober: SidecarProber, log: Logger, run?: ApplyOptions['run']) {
    super()
    this.#c = config
    this.#prober = prober
    this.#log = log
    const o: ApplyOptions = {
      output: config.output,
      checkCommand: config.checkCommand,
      reloadCommand: config.reloadCommand,
      commandTimeoutMs: config.commandTimeoutMs,
      ...(run !== undefined ? { run } : {}),
    }
    this.#apply = async (text) => await applyUpstream(text, o)
    this.#loop = new Loop({
      intervalMs: config.pollIntervalMs,
      step: async () => { await this.tick() },
      onError: (err) => { this.#log.error({ err }, 'sync round failed') },
      // A change waiting to settle (or for the reload interval) is decided again when its wait ends,
      // not one poll later: otherwise timer jitter adds a whole poll interval to the drain time.
      wakeInMs: () => this.#decision.action === 'wait' ? this.#decision.untilMs - Date.now() : Infinity,
    })
  }

  /** Reads the file nginx already has, so an unchanged state after a restart causes no reload. */
  async init (): Promise<void> {
    if (this.#c.njsState !== undefined) return
    const existing = await readCurrent(this.#c.output)
    this.#debounce = initialDebounce(existing)
    this.#appliedDown = downInText(existing)
  }

  start (): void { this.#loop.start() }

  async stop (): Promise<void> { await this.#loop.stop() }

  /** One round. Returns true when nginx runs with what the sidecars say (nothing pending). Never throws. */
  async tick (): Promise<boolean> {
    const results = await this.#prober.probeAll(this.#c.nodes)
    const available = new Map<string, boolean>()
    for (const node of this.#c.nodes) {
      const r = results.get(node.address) ?? { kind: 'error', reason: 'transport' }
      this.#logFlip(node.address, this.#last.get(node.address), r)
      this.#last.set(node.address, r)
      available.set(node.address, r.kind === 'available')
      this.emit('probe', node.address, r)
    }
    if (this.#c.njsState !== undefined) return await this.#writeState(this.#c.njsState, available)
    const rendered = renderUpstream(this.#c.nodes, available, this.#c)
    this.#wanted = rendered
    this.#noteFailsafe(rendered.failsafe)

    const now = Date.now()
    const rules = { settleMs: this.#c.settleMs, minIntervalMs: this.#c.minReloadIntervalMs }
    const { state, decision } = decide(this.#debounce, rendered.text, now, rules, this.#first)
    this.#first = false
    this.#debounce = state
    if (decision.action === 'wait' && this.#decision.action !== 'wait') {
      this.#log.debug({ why: decision.why, down: rendered.down }, `upstream change waiting (${decision.why})`)
    }
    this.#decision = decision
    if (decision.action !== 'apply') return decision.action === 'none'

    const result = await this.#apply(rendered.text)
    this.#debounce = attempted(this.#debounce, rendered.text, result.ok, Date.now())
    if (result.ok) {
      this.#appliedDown = [...rendered.down]
      this.#lastReloadAt = Date.now()
      this.#lastError = undefined
      this.#decision = { action: 'none' }
      const timings = { checkMs: Math.round(result.checkMs), reloadMs: Math.round(result.reloadMs) }
      this.#log.info({ event: LogEvents.RELOADED, down: rendered.down, failsafe: rendered.failsafe, ...timings },
        `nginx reloaded: ${rendered.down.length === 0 ? 'every node in' : `down: ${rendered.down.join(', ')}`}`)
    } else {
      this.#lastError = `${result.stage}: ${result.detail}`
      const { stage, detail, restored } = result
      const msg = stage === 'check'
        ? `nginx -t rejected the new upstream; ${restored ? 'previous file restored' : 'could not restore the previous file'}`
        : `nginx update failed at ${stage}`
      this.#log.error({ event: STAGE_EVENTS[stage], code: STAGE_CODES[stage], stage, detail, restored }, msg)
    }
    this.emit('apply', result, rendered)
    return result.ok
  }

  /**
   * njs mode: the whole state is written every round, changed or not, so its age tells njs that nginx-sync
   * is alive. No debounce: nothing is reloaded, and each new connection simply reads the latest answer.
   */
  async #writeState (path: string, available: ReadonlyMap<string, boolean>): Promise<boolean> {
    const rules = { balance: this.#c.balance, staleAfterMs: staleAfterMs(this.#c.pollIntervalMs, this.#c.probeTimeoutMs) }
    const state = renderNjsState(this.#c.nodes, available, rules, Date.now())
    this.#noteFailsafe(state.failsafe)
    const down = state.failsafe ? [] : state.nodes.filter((n) => !n.available).map((n) => n.address)
    try {
      await writeNjsState(path, state)
    } catch (err) {
      const e = err as NodeJS.ErrnoException
      this.#lastError = `write: cannot write ${path}: ${e.code ?? e.message}`
      if (!this.#stateFailing) {
        this.#log.error({ event: LogEvents.STATE_WRITE_FAILED, code: ErrorCodes.NGINX_WRITE_FAILED, detail: this.#lastError },
          'cannot write the njs state file; nginx keeps the last one until it is stale, then sends to every node')
      }
      this.#stateFailing = true
      this.emit('state', false)
      return false
    }
    if (this.#stateFailing || down.join() !== this.#appliedDown.join() || this.#stateWrittenAt === undefined) {
      this.#log.info({ event: LogEvents.STATE_WRITTEN, down },
        `njs state: ${down.length === 0 ? 'every node available' : `unavailable: ${down.join(', ')}`}`)
    }
    this.#stateFailing = false
    this.#lastError = undefined
    this.#appliedDown = down
    this.#stateWrittenAt = Date.now()
    this.emit('state', true)
    return true
  }

  #logFlip (address: string, before: ProbeResult | undefined, now: ProbeResult): void {
    const same = before !== undefined && before.kind === now.kind &&
      (now.kind !== 'error' || (before.kind === 'error' && before.reason === now.reason))
    if (same) return
    const detail = now.kind === 'unavailable' ? { status: now.status } : now.kind === 'error' ? { reason: now.reason } : {}
    const msg = now.kind === 'available'
      ? 'node available'
      : now.kind === 'unavailable'
        ? `node unavailable (sidecar answered ${now.status})`
        : `node sidecar not answering (${now.reason}): treated as unavailable`
    this.#log.info({ event: LogEvents.NODE, node: address, result: now.kind, ...detail }, msg)
  }

  #noteFailsafe (active: boolean): void {
    if (active === this.#failsafe) return
    this.#failsafe = active
    if (active) {
      this.#log.warn({ event: LogEvents.FAILSAFE, nodes: this.#c.nodes.map((n) => n.address) },
        'FAIL-SAFE: every node is unavailable (draining or sidecar not answering); ' +
        'keeping ALL nodes in the upstream instead of refusing every client')
    } else this.#log.info({ event: LogEvents.FAILSAFE_CLEARED }, 'fail-safe cleared: at least one node is available again')
    this.emit('failsafe', active)
  }

  get failsafe (): boolean { return this.#failsafe }
  get pending (): boolean {
    if (this.#c.njsState !== undefined) return this.#stateFailing
    return this.#wanted !== undefined && this.#wanted.text !== this.#debounce.applied
  }

  get njsMode (): boolean { return this.#c.njsState !== undefined }
  get stateWrittenAt (): number | undefined { return this.#stateWrittenAt }
  get lastReloadAt (): number | undefined { return this.#lastReloadAt }

  nodes (): NodeView[] {
    return this.#c.nodes.map((n) => ({
      address: n.address,
      sidecarUrl: n.sidecarUrl.href,
      last: this.#last.get(n.address),
      inUpstream: !this.#appliedDown.includes(n.address),
    }))
  }

  status (): Record<string, unknown> {
    const iso = (ms: number | undefined): string | null => ms !== undefined ? new Date(ms).toISOString() : null
    const mode = this.#c.njsState !== undefined
      ? { njsState: this.#c.njsState, stateWrittenAt: iso(this.#stateWrittenAt) }
      : { output: this.#c.output }
    const waiting = this.#decision.action === 'wait' ? { waiting: this.#decision.why } : {}
    return {
      ...mode,
      upstream: this.#c.upstreamName,
      failsafe: this.#failsafe,
      pending: this.pending ? { down: this.#wanted?.down ?? [], ...waiting } : null,
      lastReloadAt: iso(this.#lastReloadAt),
      lastError: this.#lastError ?? null,
      nodes: this.nodes().map((n) => ({ address: n.address, sidecarUrl: n.sidecarUrl, inUpstream: n.inUpstream, last: n.last ?? null })),
    }
  }
}
