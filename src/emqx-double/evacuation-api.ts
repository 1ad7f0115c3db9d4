import type { SimProcess } from './node-model.js'
import type { EvacuationParams } from './evacuation-machine.js'
import type { StartBodyRules } from './profiles.js'
import { readStartBody } from './start-body.js'

export interface SimAnswer { status: number, body: string, headers?: Record<string, string> }

export type EvacuationDecision =
  | { readonly answer: SimAnswer, readonly action: 'none' }
  | { readonly answer: SimAnswer, readonly action: 'start', readonly params: Partial<EvacuationParams> }
  | { readonly answer: SimAnswer, readonly action: 'stop' }

/** What an evacuation call reads of the node it is sent to. */
export interface EvacuationTarget {
  readonly api: 'v4' | 'v5'
  readonly rules: StartBodyRules
  readonly nodeName: string
  readonly process: SimProcess
  /** the `rpc_error` fault: the node could not be reached */
  readonly rpcError: boolean
}

/**
 * `POST /api/{v}/load_rebalance/{node}/evacuation/{start|stop}` as EMQX answers it
 * (apps/emqx_node_rebalance/src/emqx_node_rebalance_api.erl, wrap_rpc; docs/emqx-compatibility.md).
 * Pure: the simulator applies the action. `rawNode` is the path segment as sent: 4.4's minirest
 * matches the undecoded path, so `emqx%40host` is an invalid node there; 5.x decodes it. 4.4 answers
 * every error as HTTP 200 with `{"code":400,"message":...}`.
 */
export function evacuationCall (o: EvacuationTarget, rawNode: string, start: boolean, body: string): EvacuationDecision {
  const v4 = o.api === 'v4'
  const error = (status: number, code: string, message: string): EvacuationDecision => ({
    action: 'none',
    answer: v4 ? json(200, { code: 400, message }) : json(status, { code, message }),
  })
  const node = v4 ? rawNode : safeDecode(rawNode)
  if (v4 && node !== o.nodeName) return error(400, 'BAD_REQUEST', `invalid node: ${node}`)
  if (node !== o.nodeName) return error(404, 'NOT_FOUND', `Node not found: ${node}`)
  if (o.rpcError) return error(503, 'RPC_ERROR', `RPC error on node '${node}': timeout`)
  const ok = json(200, v4 ? { data: [], code: 0 } : {})
  if (start) {
    const read = readStartBody(o.rules, body)
    if ('error' in read) return error(400, 'BAD_REQUEST', read.error)
    if (o.process.kind === 'evacuation') return error(400, 'BAD_REQUEST', `error on node '${node}': already_started`)
    if (o.process.kind !== 'none') return error(400, 'BAD_REQUEST', `error on node '${node}': eviction_agent_busy`)
    return { action: 'start', params: read.params, answer: ok }
  }
  if (o.process.kind !== 'evacuation') return error(400, 'BAD_REQUEST', `error on node '${node}': not_started`)
  return { action: 'stop', answer: ok }
}

export function json (status: number, doc: unknown): SimAnswer {
  return { status, body: JSON.stringify(doc), headers: { 'content-type': 'application/json' } }
}

function safeDecode (s: string): string {
  try { return decodeURIComponent(s) } catch { return s }
}
