/**
 * The one rule for drain acknowledgement, read by /status, the metrics, the acknowledged evacuation
 * and the rebalance watch alike (docs/graceful-shutdown.md, "Acknowledged evacuation").
 *
 * - *Told*: a checker has had enough drain answers during the current drain to act on them: `fall` for
 *   HTTP (HAProxy `fall`, Kubernetes `failureThreshold`), one for the agent-check `drain` and for nginx-sync
 *   (the tracker counts them: src/checkers/tracker.ts).
 * - *Expected*: a checker is expected to probe again, and so to be told, while it was seen within three of
 *   its own intervals (at least 5 s; a checker seen once gets those 5 s). A load balancer probes again and
 *   stays expected; a one-off request (a person's curl) drops out after 5 s instead of holding a wait to
 *   its maximum; a checker that went silent drops out after three missed probes.
 * - *Acknowledged*: at least one checker is expected, at least `--expect-checkers` are, and every expected
 *   checker has been told.
 */

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
