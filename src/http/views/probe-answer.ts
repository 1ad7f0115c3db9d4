import { servedAnswer, type Snapshot } from '../../state/model.js'

/** The probe answer for a snapshot: pure, and cached while it says the same so the hot path allocates nothing. */
export interface ProbeAnswer {
  readonly status: 200 | 503
  /** JSON body for GET (ASCII); HEAD and OPTIONS send the status only */
  readonly body: string
  /** the GET answer's headers as a flat [name, value, ...] list, built once per answer */
  readonly getHeaders: readonly string[]
  /** the HEAD and OPTIONS answer's headers */
  readonly bodylessHeaders: readonly string[]
}

// the same for every answer: HEAD and OPTIONS carry no body, and nothing may cache an answer
const BODYLESS_HEADERS: readonly string[] = ['content-length', '0', 'cache-control', 'no-store']

export function probeAnswer (s: Pick<Snapshot, 'state' | 'reason' | 'since'>): ProbeAnswer {
  const a = servedAnswer(s)
  return answerWith(a.status, { state: a.state, reason: a.reason, since: new Date(a.since).toISOString() })
}

function answerWith (status: 200 | 503, doc: Record<string, string>): ProbeAnswer {
  const body = JSON.stringify(doc)
  return {
    status,
    body,
    getHeaders: ['content-type', 'application/json', 'content-length', String(Buffer.byteLength(body)), 'cache-control', 'no-store'],
    bodylessHeaders: BODYLESS_HEADERS,
  }
}

// The answer last built, kept while what it says holds: every EMQX check replaces the snapshot (its
// lastCheck), but the answer changes only with the state, the reason or the time the state began.
let last: (Pick<Snapshot, 'state' | 'reason' | 'since'> & { readonly answer: ProbeAnswer }) | undefined

/** probeAnswer(s), rebuilt only when the state, the reason or `since` changed. */
export function cachedProbeAnswer (s: Snapshot): ProbeAnswer {
  if (last === undefined || last.state !== s.state || last.reason !== s.reason || last.since !== s.since) {
    last = { state: s.state, reason: s.reason, since: s.since, answer: probeAnswer(s) }
  }
  return last.answer
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
