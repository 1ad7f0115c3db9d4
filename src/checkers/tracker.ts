/**
 * Who is checking this node, and which of them have been told it is draining?
 *
 * EMQX waits a blind `wait_health_check` before evicting; the sidecar sees the probes, so it can know
 * when a load balancer has received enough 503/`drain` answers to take the node out. The tracker only counts:
 * a checker's fall, whether it is told and whether the drain is acknowledged are the rule's (./rule.ts).
 * Memory is bounded: at most `maxCheckers` entries (least recently seen evicted first) and entries
 * unseen for `ttlMs` are dropped, so spoofed or many sources cannot grow it.
 */
import type { CheckerKind } from './protocols.js'
import { fallOf, isTold } from './rule.js'

export interface Observation {
  readonly source: string
  readonly kind: CheckerKind
  readonly userAgent?: string | undefined
  /** whether the answer told the checker to send new connections (200 / `up ready`) */
  readonly available: boolean
  /** the answer as sent: HTTP status or agent word */
  readonly answer: string
  readonly at: number
}

interface Checker {
  readonly key: string
  readonly source: string
  readonly kind: CheckerKind
  readonly userAgent: string
  readonly firstSeen: number
  lastSeen: number
  probes: number
  intervalMs: number | undefined
  lastAnswer: string
  drainAnswers: number
  toldAt: number | undefined
  warnedSlow: boolean
  /** drain answers it needs before it acts (./rule.ts fallOf) */
  readonly fall: number
  /** false once pruned or evicted: a handle kept by a connection must then be identified again */
  tracked: boolean
  /** when it was last moved to the most recent end of the map */
  orderedAt: number
}

/**
 * A checker as identified by observe(): a keep-alive connection keeps it and records its later
 * probes with observeAgain(), without building the identifying key or an Observation each time.
 */
export interface CheckerHandle { readonly key: string }

export interface TrackerOptions {
  readonly maxCheckers: number
  readonly ttlMs: number
  /** --checker-fall: the fall of the protocols that take it (./rule.ts fallOf) */
  readonly checkerFall: number
  /** EMQX's wait_health_check: a checker slower than this cannot take the node out in time */
  readonly budgetMs: number
  readonly onSlowChecker?: (c: CheckerInfo) => void
  /** a checker has just been told of the current drain (src/ack/drain.ts looks whether that acknowledges it) */
  readonly onTold?: (at: number) => void
}

/** A checker as the tracker knows it: a copy, times in epoch ms, undefined where not known yet. */
export interface CheckerInfo {
  readonly source: string
  readonly kind: CheckerKind
  readonly userAgent: string
  readonly firstSeen: number
  readonly lastSeen: number
  readonly probes: number
  readonly intervalMs: number | undefined
  readonly lastAnswer: string
  readonly drainAnswers: number
  readonly fall: number
  /** told of the current drain, by the rule (./rule.ts isTold) */
  readonly told: boolean
  /** when it was told (epoch ms) */
  readonly toldAt: number | undefined
  /** interval x fall: how long this checker needs to take the node out */
  readonly detectionMs: number | undefined
  readonly withinBudget: boolean | undefined
}

const UA_MAX = 64
/** how stale a checker's place in the LRU order may be */
const REORDER_MS = 1000

export class CheckerTracker {
  readonly #o: TrackerOptions
  /**
   * insertion order = least recently seen first, to a second: a checker is re-inserted when its last
   * re-insertion is a second old, not on every probe (two Map operations per probe for an order that
   * only TTL pruning and eviction use); reads sort by the exact time
   */
  readonly #checkers = new Map<string, Checker>()
  #drainSince: number | undefined
  #evicted = 0

  constructor (options: TrackerOptions) { this.#o = options }

  get size (): number { return this.#checkers.size }

  /** checkers forgotten because maxCheckers was reached */
  get evicted (): number { return this.#evicted }

  /** Records one probe and returns its checker, for observeAgain() on the same connection. */
  observe (o: Observation): CheckerHandle {
    const ua = (o.userAgent ?? '').slice(0, UA_MAX)
    const key = `${o.kind}|${o.source}|${ua}`
    let c = this.#checkers.get(key)
    if (c === undefined) {
      this.#prune(o.at)
      if (this.#checkers.size >= this.#o.maxCheckers) this.#evictOldest()
      c = {
        key,
        source: o.source,
        kind: o.kind,
        userAgent: ua,
        firstSeen: o.at,
        lastSeen: o.at,
        probes: 0,
        intervalMs: undefined,
        lastAnswer: o.answer,
        drainAnswers: 0,
        toldAt: undefined,
        warnedSlow: false,
        fall: fallOf(o.kind, ua, this.#o.checkerFall),
        tracked: true,
        orderedAt: o.at,
      }
      this.#checkers.set(key, c)
    }
    this.#record(c, o.available, o.answer, o.at)
    return c
  }

  /**
   * Records one more probe of a checker observe() returned, exactly as observe() would; false (nothing
   * recorded) when that checker has been dropped since (TTL, eviction): observe() it again.
   */
  observeAgain (h: CheckerHandle, available: boolean, answer: string, at: number): boolean {
    const c = h as Checker
    if (!c.tracked) return false
    this.#record(c, available, answer, at)
    return true
  }

  #record (c: Checker, available: boolean, answer: string, at: number): void {
    if (at > c.lastSeen) {
      if (at - c.orderedAt >= REORDER_MS) {
        this.#checkers.delete(c.key)
        this.#checkers.set(c.key, c)
        c.orderedAt = at
      }
      const gap = at - c.lastSeen
      // EWMA: robust to a missed check, follows a changed LB interval within a few probes
      c.intervalMs = c.intervalMs === undefined ? gap : Math.round(0.7 * c.intervalMs + 0.3 * gap)
      c.lastSeen = at
    }
    c.probes++
    c.lastAnswer = answer
    if (this.#drainSince !== undefined && !available && at >= this.#drainSince) {
      c.drainAnswers++
      if (c.toldAt === undefined && isTold(c.drainAnswers, c.fall)) {
        c.toldAt = at
        this.#o.onTold?.(at)
      }
    }
    if (!c.warnedSlow && c.probes >= 3 && c.intervalMs !== undefined && c.intervalMs * c.fall > this.#o.budgetMs) {
      c.warnedSlow = true
      this.#o.onSlowChecker?.(this.#info(c))
    }
  }

  /** The served answer stopped being "available": counting of drain answers starts now. */
  drainStarted (at: number): void {
    if (this.#drainSince !== undefined) return
    this.#drainSince = at
    for (const c of this.#checkers.values()) { c.drainAnswers = 0; c.toldAt = undefined }
  }

  drainEnded (): void {
    this.#drainSince = undefined
    for (const c of this.#checkers.values()) { c.drainAnswers = 0; c.toldAt = undefined }
  }

  /** The checkers still known (pruned by the ttl), most recently seen first. */
  checkers (now: number): CheckerInfo[] {
    this.#prune(now)
    return [...this.#checkers.values()].sort((a, b) => b.lastSeen - a.lastSeen).map((c) => this.#info(c))
  }

  #info (c: Checker): CheckerInfo {
    const fall = c.fall
    const detection = c.intervalMs === undefined ? undefined : c.intervalMs * fall
    return {
      source: c.source,
      kind: c.kind,
      userAgent: c.userAgent,
      firstSeen: c.firstSeen,
      lastSeen: c.lastSeen,
      probes: c.probes,
      intervalMs: c.intervalMs,
      lastAnswer: c.lastAnswer,
      drainAnswers: c.drainAnswers,
      fall,
      told: c.toldAt !== undefined,
      toldAt: c.toldAt,
      detectionMs: detection,
      withinBudget: detection === undefined ? undefined : detection <= this.#o.budgetMs,
    }
  }

  #prune (now: number): void {
    for (const [key, c] of this.#checkers) {
      if (now - c.lastSeen <= this.#o.ttlMs) break
      this.#checkers.delete(key)
      c.tracked = false
    }
  }

  #evictOldest (): void {
    const first = this.#checkers.values().next()
    if (first.done !== true) { this.#checkers.delete(first.value.key); first.value.tracked = false; this.#evicted++ }
  }
}
