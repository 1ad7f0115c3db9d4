/**
 * The one rule for drain acknowledgement, read by the checker tracker (./tracker.ts, which only counts), /status,
 * the metrics, the acknowledged evacuation, the rebalance watch and the live page alike
 * (docs/graceful-shutdown.md, "Acknowledged evacuation"; test/checkers/rule-consumers.test.ts).
 *
 * - *Fall*: the drain answers a checker needs before it acts: its protocol's (./protocols.ts: --checker-fall for
 *   HTTP, HAProxy `fall` or Kubernetes `failureThreshold`; one for the agent-check `drain`), unless its
 *   User-Agent names a checker whose own rule is known (KNOWN_CHECKERS: nginx-sync acts on the first 503).
 * - *Told*: a checker has had `fall` drain answers during the current drain (the tracker counts them from the
 *   drain's start, src/ack/drain.ts).
 * - *Expected*: a checker is expected to probe again, and so to be told, while it was seen within three of
 *   its own intervals (at least 5 s; a checker seen once gets those 5 s). A load balancer probes again and
 *   stays expected; a one-off request (a person's curl) drops out after 5 s instead of holding a wait to
 *   its maximum; a checker that went silent drops out after three missed probes.
 * - *Acknowledged*: at least one checker is expected, at least `--expect-checkers` are, and every expected
 *   checker has been told.
 */
import { CHECKER_PROTOCOLS, type CheckerKind } from './protocols.js'

/**
 * The User-Agent of `emqx-lb-sidecar nginx-sync`'s probes. nginx-sync takes a node out of its upstream
 * on the first answer that is not 200 (src/nginx/probe.ts), so it is told after one drain answer,
 * whatever --checker-fall says for HTTP load balancers.
 */
export const NGINX_SYNC_USER_AGENT = 'emqx-lb-sidecar-nginx-sync'

/** Checkers whose own fall is known, by protocol and exact User-Agent. */
const KNOWN_CHECKERS: ReadonlyArray<{ readonly kind: CheckerKind, readonly userAgent: string, readonly fall: number }> = [
  { kind: 'http', userAgent: NGINX_SYNC_USER_AGENT, fall: 1 },
]

/** Drain answers a checker needs before it acts: a known checker's own, else its protocol's (`checkerFall`: --checker-fall). */
export function fallOf (kind: CheckerKind, userAgent: string, checkerFall: number): number {
  for (const k of KNOWN_CHECKERS) if (k.kind === kind && k.userAgent === userAgent) return k.fall
  const fall = CHECKER_PROTOCOLS[kind].fall
  return fall === 'checker-fall' ? checkerFall : fall
}

/** Whether a checker with this many drain answers during the current drain has been told. */
export function isTold (drainAnswers: number, fall: number): boolean {
  return drainAnswers >= fall
}

/** One checker as the rule needs it (a structural subset of the tracker's `CheckerInfo`). */
export interface AckChecker {
  readonly kind: string
  readonly source: string
  readonly userAgent: string
  readonly told: boolean
  readonly lastSeen: number
  readonly intervalMs?: number | undefined
  readonly toldAt?: number | undefined
}

const MIN_EXPECT_WINDOW_MS = 5000
const MISSED_PROBES = 3

/** Whether a checker is expected to probe again (see above). */
export function isExpected (c: AckChecker, now: number): boolean {
  return now - c.lastSeen <= Math.max(MISSED_PROBES * (c.intervalMs ?? 0), MIN_EXPECT_WINDOW_MS)
}

/** `agent 127.0.0.1` or `http 10.0.0.5 "kube-probe/1.29"`: how /status and the log name a checker. */
export function checkerId (c: AckChecker): string {
  return `${c.kind} ${c.source}${c.userAgent !== '' ? ` "${c.userAgent}"` : ''}`
}

export interface AckCount {
  /** checkers expected to probe again */
  readonly expected: number
  /** how many of them have been told */
  readonly told: number
  /** the expected checkers not told yet, by checkerId */
  readonly awaited: readonly string[]
  /** fewer checkers expected than --expect-checkers */
  readonly fewer: boolean
  /** every expected checker told, and enough of them */
  readonly acknowledged: boolean
  /** when the last expected checker was told (undefined unless acknowledged) */
  readonly lastToldAt: number | undefined
}

/** The rule applied to the checkers at `now`. */
export function countAck (checkers: readonly AckChecker[], expect: number, now: number): AckCount {
  let expected = 0
  let lastToldAt = 0
  const awaited: string[] = []
  for (const c of checkers) {
    if (!isExpected(c, now)) continue
    expected++
    if (!c.told) awaited.push(checkerId(c))
    else lastToldAt = Math.max(lastToldAt, c.toldAt ?? now)
  }
  const fewer = expected < expect
  const acknowledged = expected > 0 && !fewer && awaited.length === 0
  return { expected, told: expected - awaited.length, awaited, fewer, acknowledged, lastToldAt: acknowledged ? lastToldAt : undefined }
}
