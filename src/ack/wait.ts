import { setTimeout as sleep } from 'node:timers/promises'
import type { Logger } from 'pino'
import type { AckPort } from '../state/ack-port.js'
import type { AckEnd, AckWaitProgress } from '../state/evacuation-types.js'
import type { ArrivalEvidence } from './evidence.js'
import { canAcknowledge, decideAck, nextLookAt, type AckDecision, type AckMemory, type AckSettings } from './decide.js'
import type { AckChecker } from '../checkers/rule.js'
import type { AgentDrainWord } from '../config/serve-types.js'
import { stickinessHint } from './stickiness-hint.js'
import { LogEvents } from '../errors.js'

/** Where the checkers come from: the checker tracker's `checkers(now)`. */
export interface CheckerSource {
  checkers: (now: number) => readonly AckChecker[]
}

export interface AckWaitOptions {
  readonly checkers: CheckerSource
  readonly settings: AckSettings
  /** the drain began here (the evacuation request): the maximum counts from it */
  readonly startedAt: number
  readonly now: () => number
  readonly signal: AbortSignal
  readonly log: Logger
  /** whenever what /status shows changes */
  readonly onProgress: (p: AckWaitProgress) => void
  /** how often the checkers are looked at; a probe answer moves `told`, so this bounds the reaction time */
  readonly tickMs?: number
  /** EMQX's CONNECT counter (./arrivals.ts): arrivals after the grace hold the wait */
  readonly arrivals?: (now: number) => ArrivalEvidence
  /** --agent-drain-word, for the stickiness hint when CONNECTs go on after the agent was told */
  readonly drainWord?: AgentDrainWord
}

export interface AckOutcome {
  readonly endedBy: AckEnd
  readonly progress: AckWaitProgress
}

const TICK_MS = 50

/**
 * Runs decideAck() on a short timer until the wait ends; undefined when aborted (stop, shutdown).
 * Logs one line when the wait begins, one when every checker has been told (the grace begins) and one
 * when it ends, with why.
 */
export async function awaitAcknowledgement (o: AckWaitOptions): Promise<AckOutcome | undefined> {
  let memory: AckMemory = { startedAt: o.startedAt, everSeen: false }
  let shown = ''
  let stage: AckWaitProgress['stage'] | undefined
  for (;;) {
    const now = o.now()
    const ev = o.arrivals?.(now)
    const checkers = o.checkers.checkers(now)
    const d = decideAck(o.settings, memory, checkers, now, ev?.verdict)
    memory = d.memory
    const p = progressOf(o.settings, d, now, ev)
    const key = JSON.stringify(p)
    if (key !== shown) { shown = key; o.onProgress(p) }
    if (p.stage !== stage) { logStage(o, p, stage === undefined, stickinessHint(checkers, o.drainWord)); stage = p.stage }
    if (d.done) return { endedBy: d.endedBy, progress: p }
    const untilNextLook = Math.max(1, nextLookAt(o.settings, d, now, o.tickMs ?? TICK_MS) - now)
    try { await sleep(untilNextLook, undefined, { signal: o.signal }) } catch { return undefined }
  }
}

function progressOf (s: AckSettings, d: AckDecision, now: number, ev: ArrivalEvidence | undefined): AckWaitProgress {
  const m = d.memory
  return {
    stage: d.done ? 'ended' : d.stage,
    arrivals: ev?.verdict ?? 'no_counter',
    ...(ev?.sinceDrain !== undefined ? { connectsSinceDrain: ev.sinceDrain } : {}),
    expect: s.expect,
    known: d.known,
    told: d.told,
    awaited: d.awaited,
    maxAt: m.startedAt + s.maxMs,
    ...(m.allToldAt !== undefined ? { allToldAt: m.allToldAt } : {}),
    ...(d.done ? { endedBy: d.endedBy, endedAt: now } : {}),
  }
}

function logStage (o: AckWaitOptions, p: AckWaitProgress, first: boolean, sticky: string | undefined): void {
  const ctx = { known: p.known, told: p.told, awaited: p.awaited, expect: p.expect }
  const after = (at: number): number => Math.round(at - o.startedAt) / 1000
  if (first && p.stage !== 'ended') {
    const atLeast = p.expect > 0 ? ` (at least ${p.expect} expected)` : ''
    o.log.info({ ...ctx, event: LogEvents.EVACUATION_AWAITING_ACK, maxSeconds: o.settings.maxMs / 1000 },
      `draining; waiting until ${p.known} known checker(s)${atLeast} have been told, at most ${o.settings.maxMs / 1000}s`)
  }
  if (p.stage === 'grace') {
    const graceSeconds = o.settings.graceMs / 1000
    o.log.info({ ...ctx, event: LogEvents.EVACUATION_ACK_GRACE, seconds: after(p.allToldAt ?? o.now()), graceSeconds },
      `every checker has been told; ${graceSeconds}s grace for the load balancers to act`)
  }
  if (p.stage === 'quiet') {
    o.log.info({ ...ctx, event: LogEvents.EVACUATION_ACK_ARRIVALS, connectsSinceDrain: p.connectsSinceDrain, ...stickyFields(sticky) },
      `every checker has been told, but ${p.connectsSinceDrain ?? 'some'} CONNECT(s) reached the node since the drain began: ` +
      `waiting until they stop before asking EMQX to evict${sticky !== undefined ? `; ${sticky}` : ''}`)
  }
  if (p.stage === 'ended') {
    const seconds = after(p.endedAt ?? o.now())
    const evidence = { arrivals: p.arrivals, connectsSinceDrain: p.connectsSinceDrain }
    if (p.endedBy === 'max_reached' && p.arrivals === 'arriving') {
      o.log.warn({ ...ctx, ...evidence, event: LogEvents.EVACUATION_ACK_ARRIVALS_WENT_ON, seconds, ...stickyFields(sticky) },
        `${p.connectsSinceDrain ?? '?'} CONNECTs in the last ${seconds} s while draining: a load balancer the sidecar does not see, ` +
        `or direct clients, still route here${sticky !== undefined ? `; or ${sticky}` : ''}`)
    }
    const level = p.endedBy === 'max_reached' ? 'warn' : 'info'
    const shortOf = p.awaited.length > 0
      ? `checkers not told: ${p.awaited.join(', ')}`
      : `${p.known} of ${p.expect} expected checkers seen`
    const byEvidence = p.arrivals === 'quiet'
      ? ', and no CONNECT arrives any more'
      : ` (no arrival evidence: ${p.arrivals === 'too_little_traffic' ? 'too little traffic to judge' : 'CONNECT counter not readable'})`
    o.log[level]({ ...ctx, ...evidence, event: LogEvents.EVACUATION_ACK_ENDED, endedBy: p.endedBy, seconds },
      p.endedBy === 'all_told'
        ? `drain acknowledged by every checker after ${seconds}s${byEvidence}: asking EMQX to evict now`
        : p.endedBy === 'no_checkers'
          ? `no checker seen after ${seconds}s: the full wait was held`
          : `--wait-health-check reached after ${seconds}s with ${shortOf}`)
  }
}

/** The log fields of the stickiness hint: a cause a dashboard can count, and where the recipe is. */
function stickyFields (sticky: string | undefined): Record<string, string> {
  return sticky === undefined ? {} : { likelyCause: 'stickiness', recipe: 'haproxy/haproxy-sticky.cfg' }
}

/** The acknowledged wait as the evacuator asks for it (the port of state/ack-port.ts: state imports no ack code). */
export function ackPort (o: {
  readonly checkers: CheckerSource
  readonly graceMs: number
  readonly expect: number
  readonly log: Logger
  readonly now?: () => number
  readonly arrivals?: (now: number) => ArrivalEvidence
  readonly drainWord?: AgentDrainWord
}): AckPort {
  const now = o.now ?? Date.now
  return {
    canWait: () => canAcknowledge(o.checkers.checkers(now()), o.expect, now()),
    wait: async (w) => await awaitAcknowledgement({
      checkers: o.checkers,
      settings: { graceMs: o.graceMs, expect: o.expect, maxMs: w.maxMs },
      startedAt: w.startedAt,
      now,
      signal: w.signal,
      log: o.log,
      onProgress: w.onProgress,
      ...(o.arrivals !== undefined ? { arrivals: o.arrivals } : {}),
      ...(o.drainWord !== undefined ? { drainWord: o.drainWord } : {}),
    }),
  }
}
