import type { EvacuationParams } from './evacuation-machine.js'
import type { StartBodyRules } from './profiles.js'

/**
 * Reads an evacuation start body as the given EMQX line does (apps/emqx_node_rebalance/src/emqx_node_rebalance_api.erl
 * at e5.0.4 / e5.1.0 / e5.4.0, and EMQX 4.4's rebalance API of 2022: validate_evacuation_param/1). Pure.
 * An error is the text EMQX puts in its 400 (5.x) or in-body `{"code":400}` (4.4). 4.4.24+ is played
 * taking `wait_health_check` as its rebalance start always did (validate_rebalance_param/1: validate_pos_int,
 * so 0 is `invalid wait_health_check value`); its source is not public, its release notes name the phase.
 */
export function readStartBody (rules: StartBodyRules, body: string): { params: Partial<EvacuationParams> } | { error: string } {
  let doc: Record<string, unknown>
  try {
    const v: unknown = body.trim() === '' ? {} : JSON.parse(body)
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return { error: 'invalid request body' }
    doc = v as Record<string, unknown>
  } catch { return { error: 'invalid request body' } }
  const known = [
    'conn_evict_rate', 'sess_evict_rate', 'redirect_to', 'wait_takeover', 'migrate_to',
    ...(rules === 'e5.0.4' || rules === 'v4' ? [] : ['wait_health_check']),
  ]
  const unknown = Object.keys(doc).filter((k) => !known.includes(k))
  if (unknown.length > 0 && (rules === 'v4' || rules === 'v4.4.24')) {
    // validate_evacuation_param/1's last clause, on the first unknown {Key, Value} pair
    const k = unknown[0] ?? ''
    return { error: `Unknown evacuation param: {<<"${k}">>,${erlangTerm(doc[k])}}` }
  }
  if (unknown.length > 0) {
    // every 5.x: hocon_tconf rejects fields the schema does not declare
    const problem = { kind: 'validation_error', reason: 'unknown_fields', unknown: unknown.join(','), path: 'rebalance_evacuation_start' }
    return { error: JSON.stringify(problem) }
  }
  const out: Record<string, unknown> = {}
  for (const k of ['wait_health_check', 'wait_takeover'] as const) {
    if (!known.includes(k) || doc[k] === undefined) continue
    const v = doc[k]
    const v4 = rules === 'v4' || rules === 'v4.4.24'
    const integerOnly = v4 || (k === 'wait_takeover' && rules !== 'v5')
    const secs = typeof v === 'number' && Number.isInteger(v)
      ? v
      : !integerOnly && typeof v === 'string' && /^\d+s$/.test(v) ? parseInt(v, 10) : undefined
    const invalid = (reason: string): string =>
      JSON.stringify({ kind: 'validation_error', path: `rebalance_evacuation_start.${k}`, reason, value: v })
    // 4.4's validate_pos_int/2: is_integer(Value) andalso Value > 0
    if (v4 && (secs === undefined || secs <= 0)) return { error: `invalid ${k} value` }
    if (secs === undefined) return { error: invalid(integerOnly ? 'bad_integer' : 'bad_duration') }
    if (k === 'wait_takeover' && rules !== 'v5' && secs <= 0) return { error: invalid('not_positive') }
    out[k] = secs
  }
  for (const k of ['conn_evict_rate', 'sess_evict_rate'] as const) if (typeof doc[k] === 'number') out[k] = doc[k]
  if (typeof doc.redirect_to === 'string') out.redirect_to = doc.redirect_to
  if (Array.isArray(doc.migrate_to)) out.migrate_to = doc.migrate_to.filter((x) => typeof x === 'string')
  return { params: out as Partial<EvacuationParams> }
}

/** A JSON value as Erlang's ~p prints what jsx decoded it to, near enough for an error text. */
function erlangTerm (v: unknown): string {
  if (typeof v === 'string') return `<<"${v}">>`
  return JSON.stringify(v) ?? 'undefined'
}
