import { isAvailable, type Snapshot } from '../state/model.js'

/** The probe answer for a snapshot: pure, and cached per snapshot so the hot path allocates nothing. */
export interface ProbeAnswer {
  readonly status: 200 | 503
  /** JSON body for GET (ASCII); HEAD and OPTIONS send the status only */
  readonly body: string
  /** its length in bytes */
  readonly length: number
}

export function probeAnswer (s: Snapshot): ProbeAnswer {
  const status = isAvailable(s.state) ? 200 : 503
  const body = JSON.stringify({ state: s.state, reason: s.reason, since: new Date(s.since).toISOString() })
  return { status, body, length: Buffer.byteLength(body) }
}

const cache = new WeakMap<Snapshot, ProbeAnswer>()

export function cachedProbeAnswer (s: Snapshot): ProbeAnswer {
  let a = cache.get(s)
  if (a === undefined) { a = probeAnswer(s); cache.set(s, a) }
  return a
}

/**
 * Paths that answer like EMQX's availability_check. The EMQX paths are aliases so that an existing
 * HAProxy config only changes its port and drops its credentials; `/` because a bare `option httpchk`
 * sends `OPTIONS /`.
 */
export const AVAILABILITY_PATHS = [
  '/',
  '/availability',
  '/load_rebalance/availability_check',
  '/api/v4/load_rebalance/availability_check',
  '/api/v5/load_rebalance/availability_check',
  '/readyz',
] as const
