/** EMQX API paths per generation (docs/emqx-compatibility.md, "Endpoints"). */
export type ApiVersion = 'v4' | 'v5'
/** rebalance: availability_check exists; node_status: open-source fallback, up/down only */
export type ApiMode = 'rebalance' | 'node_status'

export interface ApiTarget {
  readonly version: ApiVersion
  readonly base: URL
  readonly mode: ApiMode
}

export const paths = {
  availability: (v: ApiVersion) => `/api/${v}/load_rebalance/availability_check`,
  localStatus: (v: ApiVersion) => `/api/${v}/load_rebalance/status`,
  globalStatus: (v: ApiVersion) => `/api/${v}/load_rebalance/global_status`,
  /** auth; this node's view of its cluster: 5.x `{"name","nodes","self"}`, 4.4 the node list (membership.ts) */
  cluster: (v: ApiVersion) => (v === 'v5' ? '/api/v5/cluster' : '/api/v4/nodes'),
  /** auth; 5.x from e5.1.1: the running cores and their replicants */
  topology: '/api/v5/cluster/topology',
  /** no auth on any version; 503 when the emqx application is not running */
  nodeStatus: (v: ApiVersion) => (v === 'v5' ? '/api/v5/status?format=json' : '/status?format=json'),
  /** auth; the node name comes from EMQX itself (nodeName()), never from a request to the sidecar */
  evacuation: (v: ApiVersion, node: string, op: 'start' | 'stop') => `/api/${v}/load_rebalance/${nodeSegment(node)}/evacuation/${op}`,
} as const

/** 4.4 serves its management API on 8081, 5.x on 18083. */
export const V4_PORT = '8081'

/**
 * The node name as a path segment, `@` kept raw (`emqx@10.0.0.1`): 4.4's minirest matches the undecoded
 * path, and `emqx%40...` gets HTTP 200 `{"code":400,"message":"invalid node..."}`. `@` is legal in a path
 * segment (RFC 3986 pchar), so 5.x gets the same bytes; anything unusual is still escaped.
 */
export function nodeSegment (node: string): string {
  return encodeURIComponent(node).replace(/%40/g, '@')
}
