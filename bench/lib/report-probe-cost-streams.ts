import { problems } from '../sections/probe-cost.js'
import { streamsUsPerProbe, type StreamsCostResult, type StreamsWindow } from '../sections/probe-cost-streams.js'
import { median } from './stats.js'

const num = (v: number): string => Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : 'n/a'
const us = (v: number): string => Number.isFinite(v) ? v.toFixed(1) : 'n/a'
const ms = (v: number): string => Number.isFinite(v) ? (v < 10 ? v.toFixed(2) : v.toFixed(1)) : 'n/a'
const table = (head: readonly string[], rows: readonly (readonly string[])[]): string =>
  [head, head.map(() => '---'), ...rows].map((c) => `| ${c.join(' | ')} |`).join('\n')

export interface StreamsStats {
  readonly streams: number
  readonly cpuUs: number
  readonly p50: number
  readonly p99: number
  readonly max: number
  readonly answeredPerSecond: number
  readonly problems: number
  /** status and transition events each stream received a second */
  readonly eventsPerStreamPerSecond: number
}

/** Medians over the runs of the windows with (or without) the streams open. */
export function streamsStats (p: StreamsCostResult, pick: (r: StreamsCostResult['runs'][number]) => StreamsWindow): StreamsStats {
  const w = p.runs.map(pick)
  const streams = w[0]?.streams ?? 0
  return {
    streams,
    cpuUs: median(w.map((x) => streamsUsPerProbe(x, p.clockTicks))),
    p50: median(w.map((x) => x.latencyMs.p50)),
    p99: median(w.map((x) => x.latencyMs.p99)),
    max: Math.max(...w.map((x) => x.latencyMs.max)),
    answeredPerSecond: median(w.map((x) => (x.report.done + x.sampled) / (x.windowMs / 1000))),
    problems: w.reduce((a, x) => a + problems(x.report), 0),
    eventsPerStreamPerSecond: streams === 0 ? 0 : median(w.map((x) => x.events / streams / (x.windowMs / 1000))),
  }
}

export function streamsSection (p: StreamsCostResult): string[] {
  const head = [`### CPU per probe and probe p99 with ${p.streams} live pages open`, '']
  if (p.skipped !== undefined) return [...head, `Skipped: ${p.skipped}.`]
  if (p.runs.length === 0) return [...head, 'No runs.']
  const none = streamsStats(p, (r) => r.none)
  const open = streamsStats(p, (r) => r.open)
  const row = (s: StreamsStats): string[] => [String(s.streams), us(s.cpuUs), ms(s.p50), ms(s.p99), ms(s.max), num(s.answeredPerSecond),
    num(s.problems), s.streams === 0 ? '-' : s.eventsPerStreamPerSecond.toFixed(2)]
  const delta = open.cpuUs - none.cpuUs
  const pinning = p.pinned ? 'the sidecar pinned to CPU 0, h2load to CPU 1 (taskset)' : '**not pinned** (one CPU or no taskset)'
  return [...head,
    `The sidecar alone, \`GET /availability\` at ${num(p.rate)} probes/s from ${num(p.connections)} keep-alive connections (h2load, ` +
      `${p.warmupMs / 1000} s warm-up, ${p.durationMs / 1000} s measured), ${pinning}; once with no \`/events\` stream open, once with ` +
      `${p.streams} (every one reading each event, as a browser on \`/ui\` does), the order alternating run by run; ${p.runs.length} ` +
      'run(s), medians. One more keep-alive connection times a probe every 5 ms for the latencies (h2load reports no percentiles); ' +
      'its probes count in the CPU per probe.', '',
    table(['/events streams', 'CPU µs/probe', 'probe p50 ms', 'probe p99 ms', 'probe max ms', 'answered/s', 'failed or non-2xx',
      'events/s per stream'], [row(none), row(open)]),
    '',
    `${p.streams} open streams: ${delta >= 0 ? '+' : ''}${us(delta)} µs CPU per probe ` +
      `(${Number.isFinite(delta / none.cpuUs) ? `${delta >= 0 ? '+' : ''}${Math.round(delta / none.cpuUs * 100)}%` : 'n/a'}), ` +
      `probe p99 ${ms(none.p99)} -> ${ms(open.p99)} ms.`]
}
