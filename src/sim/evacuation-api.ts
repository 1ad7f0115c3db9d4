import type { EvacuationParams, SimProcess } from './node-model.js'

export interface SimAnswer { status: number, body: string, headers?: Record<string, string> }

export type EvacuationDecision =
  | { readonly answer: SimAnswer, readonly action: 'none' }
  | { readonly answer: SimAnswer, readonly action: 'start', readonly params: Partial<EvacuationParams> }
  | { readonly answer: SimAnswer, readonly action: 'stop' }

/**
 * `POST /api/{v}/load_rebalance/{node}/evacuation/{start|stop}` as EMQX answers it
 * (emqx_node_rebalance_api wrap_rpc; ../shared/emqx-api-facts.md "Start/stop"). Pure: the simulator
 * applies the action. 4.4 answers every error as HTTP 200 with `{"code":400,"message":...}`.
 */
export function evacuationCall (o: { api: 'v4' | 'v5', nodeName: string, process: SimProcess, rpcError: boolean }, node: string, start: boolean, body: string): EvacuationDecision {
  const v4 = o.api === 'v4'
  const error = (status: number, code: string, message: string): EvacuationDecision => ({
    action: 'none',
    answer: v4 ? json(200, { code: 400, message }) : status === 404 ? { status: 404, body: message, headers: { 'content-type': 'text/plain' } } : json(status, { code, message }),
  })
  if (node !== o.nodeName) return error(404, 'NOT_FOUND', `Node not found: ${node}`)
  if (o.rpcError) return error(503, 'RPC_ERROR', `RPC error on node '${node}': timeout`)
  const ok = json(200, v4 ? { data: [], code: 0 } : {})
  if (start) {
    if (o.process.kind === 'evacuation') return error(400, 'BAD_REQUEST', `error on node '${node}': already_started`)
    if (o.process.kind !== 'none') return error(400, 'BAD_REQUEST', `error on node '${node}': eviction_agent_busy`)
    let params: Partial<EvacuationParams>
    try { params = parseEvacuationBody(body) } catch { return error(400, 'BAD_REQUEST', 'invalid request body') }
    return { action: 'start', params, answer: ok }
  }
  if (o.process.kind !== 'evacuation') return error(400, 'BAD_REQUEST', `error on node '${node}': not_started`)
  return { action: 'stop', answer: ok }
}

export function json (status: number, doc: unknown): SimAnswer {
  return { status, body: JSON.stringify(doc), headers: { 'content-type': 'application/json' } }
}

/** `wait_health_check: "10s"` (5.x) or a number of seconds (4.4) */
export function parseEvacuationBody (body: string): Partial<EvacuationParams> {
  if (body.trim() === '') return {}
  const doc = JSON.parse(body) as Record<string, unknown>
  const secs = (v: unknown): number | undefined => typeof v === 'number' ? v : typeof v === 'string' && /^\d+s?$/.test(v) ? parseInt(v, 10) : undefined
  const out: Record<string, unknown> = {}
  for (const k of ['wait_health_check', 'wait_takeover'] as const) { const s = secs(doc[k]); if (s !== undefined) out[k] = s }
  for (const k of ['conn_evict_rate', 'sess_evict_rate'] as const) if (typeof doc[k] === 'number') out[k] = doc[k]
  if (typeof doc.redirect_to === 'string') out.redirect_to = doc.redirect_to
  if (Array.isArray(doc.migrate_to)) out.migrate_to = doc.migrate_to.filter((x) => typeof x === 'string')
  return out
}
