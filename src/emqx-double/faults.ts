/** Ways the simulated EMQX API can misbehave (docs/failure-modes.md lists what the sidecar does for each). */
export type SimFault =
  | 'none'
  /** listener closed: connection refused */
  | 'refuse'
  /** connection accepted, request read, never answered */
  | 'hang'
  /** headers and part of the body sent, then silence */
  | 'hang_mid_body'
  /** socket reset when the request arrives */
  | 'reset'
  /** answer delayed by `slowMs` */
  | 'slow'
  /** body sent one byte every 200 ms */
  | 'drip'
  /** 500 Internal Server Error */
  | '5xx'
  /** 200 with a body that is not JSON */
  | 'garbage'
  /** 503 with a body that is not JSON (a proxy's error page, not EMQX's drain answer) */
  | 'garbage_503'
  /** 200 with a 1 MiB body */
  | 'huge'
  /** 302 to another address */
  | 'redirect'
  /** 401 regardless of credentials (rotated API key) */
  | 'auth_reject'
  /** 403 regardless of credentials (API key without permission) */
  | 'forbidden'
  /** 404 on every path (not EMQX, or a proxy routing to the wrong place) */
  | 'not_found'
  /** the normal answer, spoken as an HTTP/1.0 peer: no content-length, body ends when the connection closes */
  | 'http10'
  /** evacuation start/stop answer 503 RPC_ERROR (5.x) or an in-body error (4.4): the node could not be reached */
  | 'rpc_error'

export const SIM_FAULTS: readonly SimFault[] = [
  'none', 'refuse', 'hang', 'hang_mid_body', 'reset', 'slow', 'drip', '5xx', 'garbage', 'garbage_503',
  'huge', 'redirect', 'auth_reject', 'forbidden', 'not_found', 'http10', 'rpc_error',
]

/**
 * Which requests a fault hits: every path, only availability_check, only the node status endpoint, or only
 * the CONNECT counter's sources (./connect-metrics.ts: an unreadable counter, no arrival evidence), or only the
 * cluster view (`/api/v5/cluster`, its topology, 4.4's `/api/v4/nodes`: an unreadable membership).
 */
export type FaultScope = 'all' | 'availability' | 'status' | 'connects' | 'cluster'
export const FAULT_SCOPES: readonly FaultScope[] = ['all', 'availability', 'status', 'connects', 'cluster']

export function faultHits (scope: FaultScope, path: string): boolean {
  if (scope === 'all') return true
  if (scope === 'availability') return path.endsWith('/load_rebalance/availability_check')
  if (scope === 'connects') {
    return path === '/api/v5/prometheus/stats' || path === '/api/v5/metrics' || /^\/api\/v4\/nodes\/[^/]+\/metrics$/.test(path)
  }
  if (scope === 'cluster') return path === '/api/v5/cluster' || path === '/api/v5/cluster/topology' || /^\/api\/v4\/nodes\/?$/.test(path)
  return path === '/status' || path === '/api/v5/status'
}
