import type { BodyReader } from './http.js'

/**
 * The Prometheus text exposition of `GET /api/v5/prometheus/stats`, read as it streams in for the one
 * sample the sidecar wants, `emqx_client_connect`: only the line being read is held, never the answer.
 *
 * The size, measured with `realisticExposition()` (src/emqx-double/prometheus-exposition.ts, built from
 * EMQX 5.8's collectors; the double serves it): 18 KiB with EMQX's defaults (every family of
 * `emqx_prometheus.erl`, mria's gauges per shard, three certificates), 26 KiB with durable sessions (16
 * shards); with the VM collectors enabled (`prometheus.collectors.*`, off by default: the allocators and
 * microstate accounting grow with the schedulers) 118 KiB on 4 schedulers, 176 KiB on 8, 293 KiB on 16,
 * 999 KiB on 64: past the 64 KiB cap of the JSON answers. The cap, 4 MiB, leaves room for a bigger node
 * and still ends a hostile endless answer; nothing but the line being read is kept, and the request's
 * deadline bounds its time.
 */
export const PROMETHEUS_MAX_BYTES = 4 * 1024 * 1024

/** A line longer than this is not an exposition sample the sidecar wants: it is skipped, not kept. */
const MAX_LINE = 4096

/** What EMQX serves as text: `text/plain` (EMQX answers exactly `application/json` with JSON, or on 6.3+ a 400). */
export const PROMETHEUS_ACCEPT = 'text/plain'

/** `emqx_client_connect` of an exposition in node mode (no `node` label); undefined when absent or ambiguous. */
export function connectSample (values: readonly number[]): number | undefined {
  // cluster mode lists one sample per node: not this node's alone, so no evidence
  const v = values[0]
  return values.length === 1 && v !== undefined && Number.isFinite(v) && v >= 0 ? v : undefined
}

const SAMPLE = /^emqx_client_connect(?:\{[^}]*\})?[ \t]+(\S+)/

/**
 * Durable sessions on: `emqx_prometheus.erl` (v5.8.0 `maybe_add_ds_collect_family`, `maybe_collect_ds_data`) adds
 * the `emqx_ds_*` families of emqx_ds_builtin_metrics.erl only when `emqx_persistent_message:is_persistence_enabled()`,
 * each with its `# TYPE` line even without samples. (`emqx_durable_subscriptions_*` are stats, always there.)
 */
const DS_SAMPLE = 'emqx_ds_'
const DS_TYPE = '# TYPE emqx_ds_'

/**
 * A streaming reader of the exposition: the values of every `emqx_client_connect` sample line. `durable`, when
 * given, is told at the end whether any `emqx_ds_` family was seen (durable sessions enabled on the node);
 * `format`, whether the answer was an EMQX exposition at all (any `emqx_` family), so that an exposition without
 * the counter (EMQX before e5.2.0) is told from a proxy's page or garbage.
 */
export function prometheusConnectReader (
  maxBytes = PROMETHEUS_MAX_BYTES, durable?: (enabled: boolean) => void, format?: (exposition: boolean) => void
): BodyReader<number | undefined> {
  const values: number[] = []
  let ds = false
  // an EMQX exposition: some emqx_ family (`# TYPE emqx_...` or a sample); a proxy's page or garbage has none
  let emqx = false
  // the unfinished last line of the chunks so far ('' once a line ran over MAX_LINE: skipped to its end)
  let carry = ''
  let skipping = false
  const line = (l: string): void => {
    if (!ds && (l.startsWith(DS_SAMPLE) || l.startsWith(DS_TYPE))) ds = true
    if (!emqx && (l.startsWith('emqx_') || l.startsWith('# TYPE emqx_'))) emqx = true
    if (!l.startsWith('emqx_client_connect')) return
    const m = SAMPLE.exec(l)
    if (m !== null) values.push(Number(m[1]))
  }
  return {
    maxBytes,
    data (chunk) {
      // latin1: one char per byte, and the sample lines are ASCII; a multi-byte character split
      // between chunks can only garble a line that is not wanted
      const text = chunk.toString('latin1')
      let from = 0
      for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', from)) {
        if (!skipping) line(carry + text.slice(from, nl))
        carry = ''
        skipping = false
        from = nl + 1
      }
      if (skipping) return
      carry += text.slice(from)
      if (carry.length > MAX_LINE) { carry = ''; skipping = true }
    },
    end () {
      if (!skipping && carry !== '') line(carry)
      durable?.(ds)
      format?.(emqx)
      return connectSample(values)
    },
  }
}
