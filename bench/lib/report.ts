import type { DrainResult } from '../sections/drain.js'
import type { FootprintResult } from '../sections/footprint.js'
import type { HaproxyResult } from '../sections/haproxy.js'
import { describeShape, type ServingResult, type ServingRow } from '../sections/serving.js'
import { BARE, BARE_AGAIN, IN_SIDECAR_BARE, SIDECAR } from './names.js'
import { median } from './stats.js'
import type { StormResult } from '../sections/storm.js'
import type { UpstreamResult } from '../sections/upstream.js'
import { NODE_STATUS_EVERY, REQUESTS_PER_POLL } from '../../src/emqx/client.js'
import { stormSection, stormTarget } from './report-storm.js'
import type { ProbeCostResult } from '../sections/probe-cost.js'
import { probeCostSection, probeCostTarget } from './report-probe-cost.js'
import type { StreamsCostResult } from '../sections/probe-cost-streams.js'
import { streamsSection } from './report-probe-cost-streams.js'
import { floorSection, floorTarget, moduleSection } from './report-footprint.js'

export interface Results {
  readonly machine: { readonly cpu: string, readonly cores: number, readonly node: string, readonly os: string, readonly date: string, readonly load: string }
  readonly mode: string
  readonly probeCost?: ProbeCostResult
  /** probe cost with /events streams (live pages) open against none */
  readonly probeCostStreams?: StreamsCostResult
  readonly serving?: ServingResult
  readonly drain?: readonly DrainResult[]
  readonly upstream?: UpstreamResult
  readonly footprint?: FootprintResult
  readonly storm?: StormResult
  readonly haproxy?: HaproxyResult
  /** sections that threw: their figures are missing from this report */
  readonly failed?: readonly Failure[]
}

/** A section that failed, with its error message. */
export interface Failure { readonly section: string, readonly error: string }

export interface TargetCheck { readonly target: string, readonly figure: string, readonly met: boolean }

const MB = 1024 * 1024

const ms = (v: number): string => Number.isFinite(v) ? (v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0)) : 'n/a'
const num = (v: number): string => Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : 'n/a'
const mb = (v: number): string => Number.isFinite(v) ? `${(v / MB).toFixed(1)} MB` : 'n/a'
const us = (v: number): string => Number.isFinite(v) ? v.toFixed(1) : ''
const ratio = (v: number): string => Number.isFinite(v) ? `${v.toFixed(2)}x` : 'n/a'
const pct = (v: number): string => Number.isFinite(v) ? `${Math.round(v * 100)}%` : 'n/a'
const row = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`
const table = (head: readonly string[], rows: readonly (readonly string[])[]): string =>
  [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n')

/** A target's figures over its runs of one row: medians, and its ratio to `against` (the bare server) run by run (same round). */
interface RowStats { readonly rps: number, readonly cpu: number, readonly cpuRatios: readonly number[], readonly p50: number, readonly p99: number, readonly max: number, readonly errors: number, readonly rpsRuns: readonly number[], readonly ratios: readonly number[] }

function rowStats (x: ServingRow, name: string, against = BARE): RowStats | undefined {
  const runs = x.runs.get(name)
  if (runs === undefined || runs.length === 0) return undefined
  const bare = x.runs.get(against) ?? []
  const non200 = (r: typeof runs[number]): number => Object.entries(r.statuses).filter(([k]) => k !== '200').reduce((a, [, v]) => a + v, 0)
  return {
    rps: median(runs.map((r) => r.rps)),
    cpu: median(runs.map((r) => r.cpuUsPerRequest)),
    cpuRatios: runs.map((r, i) => r.cpuUsPerRequest / (bare[i]?.cpuUsPerRequest ?? NaN)),
    p50: median(runs.map((r) => r.latency.p50)),
    p99: median(runs.map((r) => r.latency.p99)),
    max: Math.max(...runs.map((r) => r.latency.max)),
    errors: runs.reduce((a, r) => a + r.errors + non200(r), 0),
    rpsRuns: runs.map((r) => r.rps),
    ratios: runs.map((r, i) => r.rps / (bare[i]?.rps ?? NaN)),
  }
}

/** The pass/fail list: each target from the issue with the figure it was judged on. */
export function checkTargets (r: Results): TargetCheck[] {
  const out: TargetCheck[] = []
  if (r.probeCost !== undefined) out.push(probeCostTarget(r.probeCost))
  const s = r.serving
  if (s !== undefined && s.targets.includes(SIDECAR) && s.targets.includes(BARE)) {
    // throughput at saturation (closed-loop loads) is reported as information, not judged: what users pay per probe
    // at the rates checkers send is the probe-cost target above
    for (const x of s.rows.filter((x) => x.shape.rate !== undefined && x.shape.rate <= x.shape.connections)) {
      const p99 = rowStats(x, SIDECAR)?.p99 ?? NaN
      out.push({ target: `p99 < 5 ms at ${num(x.shape.connections)} connections probing once a second (${x.shape.keepAlive ? 'keep-alive' : 'new conn per request'})`, figure: `${ms(p99)} ms`, met: p99 < 5 })
    }
  }
  const d = r.drain?.find((x) => x.intervalMs === 1000)
  if (d !== undefined) out.push({ target: 'drain detection p99 <= poll interval + 50 ms (default 1 s)', figure: `${ms(d.drain.p99)} ms (recovery ${ms(d.recover.p99)} ms)`, met: d.drain.p99 <= 1050 && d.recover.p99 <= 1050 })
  const u = r.upstream
  if (u !== undefined && u.rows.length > 0) {
    const per = u.rows.map((x) => x.upstreamPerSecond * u.intervalMs / 1000)
    // availability_check every poll, plus the node status every NODE_STATUS_EVERY polls (EMQX's own "not running")
    const want = REQUESTS_PER_POLL
    out.push({ target: `EMQX requests flat at ${want.toFixed(1)} per poll interval (availability + node status every ${NODE_STATUS_EVERY}th), whatever the probe rate (+-15%)`, figure: `${per.map((v) => v.toFixed(2)).join(' / ')} per interval`, met: per.every((v) => v >= want * 0.85 && v <= want * 1.15) })
  }
  const f = r.footprint
  if (f !== undefined) {
    out.push(floorTarget(f))
    out.push({ target: 'idle CPU < 0.5% of a core (default 1 s poll)', figure: `${(f.sidecarIdle.cpu * 100).toFixed(2)}%`, met: f.sidecarIdle.cpu < 0.005 })
    out.push({ target: 'start to first correct answer < 1 s (median)', figure: `${ms(f.startMedianMs)} ms (max ${ms(Math.max(...f.startMs))} ms)`, met: f.startMedianMs < 1000 })
  }
  if (r.storm !== undefined) out.push(stormTarget(r.storm))
  if (s !== undefined && s.targets.includes(BARE)) {
    const q = (s.rssAfter.get(SIDECAR) ?? NaN) / (s.rssAfter.get(BARE) ?? NaN)
    out.push({ target: 'RSS after the load runs <= 1.3x the bare server\'s', figure: `${mb(s.rssAfter.get(SIDECAR) ?? NaN)} vs ${mb(s.rssAfter.get(BARE) ?? NaN)} (${ratio(q)})`, met: q <= 1.3 })
  }
  return out
}

export function renderMarkdown (r: Results): string {
  const m = r.machine
  const parts: string[] = [
    '# emqx-lb-sidecar benchmarks',
    '',
    `Produced by \`npm run bench\` (${r.mode}) on ${m.date}: ${m.cpu}, ${m.cores} cores, ${m.os}, Node ${m.node}; load average at start ${m.load}.`,
    'Every server under test and the load generator run in their own processes on the same machine (loopback); see bench/README.md for the method.',
    '',
    '## Targets',
    '',
    table(['target', 'measured', 'result'], checkTargets(r).map((c) => [c.target, c.figure, c.met ? 'met' : '**MISSED**'])),
  ]
  if (r.failed !== undefined && r.failed.length > 0) {
    parts.push('', '## Failed sections', '', 'These sections threw; their figures are missing below (the bench exited 1).')
    for (const f of r.failed) parts.push('', `${f.section}:`, '', '```', f.error.replaceAll('```', "'''"), '```')
  }
  if (r.probeCost !== undefined || r.serving !== undefined) parts.push('', '## 1. Probe serving')
  if (r.probeCost !== undefined) parts.push('', ...probeCostSection(r.probeCost))
  if (r.probeCostStreams !== undefined) parts.push('', ...streamsSection(r.probeCostStreams))
  if (r.serving !== undefined) parts.push('', ...servingSection(r.serving))
  if (r.drain !== undefined) {
    parts.push('', '## 2. Drain detection', '', 'EMQX double flipped between normal and rebalance donor at random moments; delay until the sidecar\'s own answer changes (ms).', '',
      table(['poll interval', 'flips', 'drain p50', 'drain p99', 'drain max', 'recovery p50', 'recovery p99', 'recovery max'],
        r.drain.map((d) => [`${d.intervalMs} ms`, String(d.flips), ms(d.drain.p50), ms(d.drain.p99), ms(d.drain.max), ms(d.recover.p50), ms(d.recover.p99), ms(d.recover.max)])))
  }
  if (r.upstream !== undefined) {
    const u = r.upstream
    parts.push('', '## 3. Constant upstream cost', '', `One sidecar at the default ${u.intervalMs} ms poll interval; probes at fixed rates (keep-alive); requests reaching the EMQX double.`, '',
      table(['probe rate asked', 'probes/s served', 'probe errors', 'EMQX requests/s', 'per poll interval'],
        u.rows.map((x) => [num(x.targetRate), num(x.probes.rps), String(x.probes.errors), x.upstreamPerSecond.toFixed(2), (x.upstreamPerSecond * u.intervalMs / 1000).toFixed(2)])))
  }
  if (r.footprint !== undefined || r.serving !== undefined) parts.push('', ...footprintSection(r.footprint, r.serving))
  const footprintParts = r.footprint !== undefined ? [floorSection(r.footprint), moduleSection(r.footprint)] : []
  for (const sub of footprintParts) if (sub.length > 0) parts.push('', ...sub)
  if (r.storm !== undefined) parts.push('', ...stormSection(r.storm))
  if (r.haproxy !== undefined) parts.push('', ...haproxySection(r.haproxy))
  return parts.join('\n') + '\n'
}

const spread = (v: readonly number[], f: (n: number) => string): string => v.length < 2 ? '' : `${f(Math.min(...v))}-${f(Math.max(...v))}`

/** The JavaScript generator's own event-loop delay on the fixed-rate rows: its share of every latency there. */
function generatorLag (s: ServingResult): string[] {
  const lines = s.rows.filter((x) => x.shape.rate !== undefined).flatMap((x) => {
    const per = s.targets.map((name) => ({ name, lag: median((x.runs.get(name) ?? []).map((r) => r.generatorLagP99Ms ?? NaN)) })).filter((p) => Number.isFinite(p.lag))
    return per.length === 0 ? [] : [`${describeShape(x.shape)}: ${per.map((p) => `${ms(p.lag)} against ${p.name}`).join(', ')}`]
  })
  return lines.length === 0 ? [] : ['', `The generator's own event-loop delay, p99 in ms (median of runs; in every latency it records, whatever the server did): ${lines.join('; ')}.`]
}

/** Run-by-run req/s and CPU-per-request ratios of one target to another on the wrk rows, as report text. */
function wrkRatios (s: ServingResult, name: string, against: string): string[] {
  return s.rows.filter((x) => x.generator === 'wrk').flatMap((x) => {
    const st = rowStats(x, name, against)
    return st === undefined || (x.runs.get(against) ?? []).length === 0 ? [] : [`${describeShape(x.shape)}: req/s ${ratio(median(st.ratios))} (${spread(st.ratios, ratio)}), CPU per request ${ratio(median(st.cpuRatios))} (${spread(st.cpuRatios, ratio)})`]
  })
}

/**
 * The sidecar against the bare handler preloaded into a second sidecar process, run by run (wrk rows): splits
 * the sidecar's cost into the process's (its libraries loaded and running) and its probe path's.
 */
function probePathAlone (s: ServingResult): string[] {
  const parts = wrkRatios(s, SIDECAR, IN_SIDECAR_BARE)
  const bare = s.rows.filter((x) => x.generator === 'wrk').flatMap((x) => {
    const st = rowStats(x, IN_SIDECAR_BARE)
    return st === undefined ? [] : [`${describeShape(x.shape)} ${ratio(median(st.cpuRatios))}`]
  })
  return parts.length === 0
    ? []
    : ['',
    `The sidecar against the "${IN_SIDECAR_BARE}" row (the bare handler preloaded into a second running sidecar, on a listener ` +
    `of its own: bench/servers/in-process.ts), run by run: ${parts.join('; ')}; beyond the method's noise, that is the probe ` +
    'path\'s own cost. What the sidecar\'s process (fastify, undici, pino, prom-client loaded and running) costs any handler, ' +
    `that row's CPU per request against the bare server in its own process: ${bare.join(', ')}.`]
}

/** The A/A test: an identical second bare server against the first, run by run (wrk rows). */
function methodNoise (s: ServingResult): string[] {
  const parts = wrkRatios(s, BARE_AGAIN, BARE)
  return parts.length === 0
    ? []
    : ['',
    `The method's own noise, the "${BARE_AGAIN}" row against the bare server (the same program twice, alternated like the others): ${parts.join('; ')}. A difference between two servers smaller than these ranges is not a measurement.`]
}

/** The same-core pairs: each target loaded at the same time as the bare server, on one core. */
function pairSection (s: ServingResult): string[] {
  if (s.pairs.length === 0) return []
  const rows = s.pairs.map((x) => [describeShape(x.shape), x.target, ratio(median(x.ratios)), spread(x.ratios, ratio), String(x.ratios.length), pct(Math.max(...x.generatorBusy))])
  return ['', '### Same-core pairs (information)', '',
    'Each target and the bare server at the same time, both pinned to CPU 0, each loaded by its own wrk on CPU 1 (same connections and duration). ' +
    'The two processes share the one core fairly, so the ratio of their requests is the inverse ratio of their CPU per request, and a change in the ' +
    'core\'s speed lands on both in the same seconds: the A/A pair (two identical bare servers) shows how little of the alternating rows\' spread is left. ' +
    'Generator core busy: the largest share of CPU 1 in use during a run; well below 100% means wrk did not set the pace.', '',
    table(['load', 'server, paired with the bare server', 'req/s vs bare (median)', 'range', 'runs', 'generator core busy (max)'], rows)]
}

function servingSection (s: ServingResult): string[] {
  const rows: string[][] = []
  const above: string[] = []
  let runs = 0
  for (const x of s.rows) {
    for (const name of s.targets) {
      const st = rowStats(x, name)
      if (st === undefined) continue
      runs = Math.max(runs, st.rpsRuns.length)
      const q = median(st.ratios)
      if (name === SIDECAR && x.shape.rate === undefined && q > 1) above.push(`${describeShape(x.shape)}: ${ratio(q)}${st.ratios.length > 1 ? ` (runs ${spread(st.ratios, ratio)})` : ''}`)
      rows.push([describeShape(x.shape), name, num(st.rps), ms(st.p50), ms(st.p99), ms(st.max), String(st.errors),
        name === BARE ? '1.00x' : ratio(q), name === BARE ? '' : spread(st.ratios, ratio), spread(st.rpsRuns, num),
        us(st.cpu), name === BARE || !Number.isFinite(st.cpu) ? '' : `${ratio(median(st.cpuRatios))} (${spread(st.cpuRatios, ratio)})`, x.generator === 'wrk' ? 'wrk' : 'js'])
    }
  }
  return ['### Throughput at saturation and latency at a fixed rate', '',
    '`GET /availability`. Throughput at saturation (the closed-loop rows and the same-core pairs) is information, not a target:',
    'what users pay per probe is in "CPU per probe at checker rates".',
    'Closed-loop loads send again as soon as an answer arrives, so their latency is mostly queueing (connections / throughput);',
    'the fixed-rate loads spread the requests evenly and time them from their scheduled send (no coordinated omission). Latencies in ms.',
    `${s.pinned ? 'Servers pinned to CPU 0, load generators to CPU 1 (taskset)' : 'Not pinned (one CPU or no taskset)'}; ${runs} run(s) of each load per server, alternating between servers;`,
    'req/s, p50 and p99 are medians of the runs, max the largest; the ratio is the median of run-by-run ratios against the bare run of the same round, with its range.',
    'CPU µs/req (wrk rows): CPU time of the server process (every thread, schedstat) during the wrk run divided by the requests it answered, median of the runs; beside it the median and range of its run-by-run ratio to the bare server\'s.',
    'The bare server runs under the same node flags as the sidecar (src/node-flags.ts).',
    'Generator: `wrk` (C) for closed-loop keep-alive loads, `js` (bench/load/generator.ts) for fixed rates and a new connection per request.' +
      (s.wrkMissing ? ' **wrk is not installed here: every row used the JavaScript generator.**' : ''), '',
    table(['load', 'server', 'req/s', 'p50', 'p99', 'max', 'errors + non-200', 'req/s vs bare', 'ratio range', 'req/s range', 'CPU µs/req', 'CPU vs bare (range)', 'generator'], rows),
    ...generatorLag(s),
    ...probePathAlone(s),
    ...methodNoise(s),
    ...pairSection(s),
    ...(above.length > 0 ? ['', `The sidecar above 1.00x: ${above.join('; ')}. It does strictly more work per probe than the bare server (same write, plus routing, counting and the checker tracker), so this is measurement noise, not speed: read the ranges.`] : [])]
}

function footprintSection (f: FootprintResult | undefined, s: ServingResult | undefined): string[] {
  const rows: string[][] = []
  if (f !== undefined) {
    rows.push(['idle RSS (fresh process)', mb(f.sidecarIdle.rssBytes), mb(f.bareIdle.rssBytes), ratio(f.sidecarIdle.rssBytes / f.bareIdle.rssBytes)])
    rows.push(['idle CPU (share of one core)', `${(f.sidecarIdle.cpu * 100).toFixed(3)}%`, `${(f.bareIdle.cpu * 100).toFixed(3)}%`, ''])
  }
  if (s !== undefined) {
    const [a, b] = [s.rssBefore.get(SIDECAR) ?? NaN, s.rssBefore.get(BARE) ?? NaN]
    const [c, d] = [s.rssAfter.get(SIDECAR) ?? NaN, s.rssAfter.get(BARE) ?? NaN]
    rows.push(['RSS before the probe-serving loads', mb(a), mb(b), ratio(a / b)])
    rows.push(['RSS after the probe-serving loads', mb(c), mb(d), ratio(c / d)])
  }
  if (f !== undefined) rows.push(['start to first correct answer', `${ms(f.startMedianMs)} ms median of ${f.startMs.length} (max ${ms(Math.max(...f.startMs))} ms)`, '', ''])
  return ['## 4. Footprint', '', table(['', 'sidecar', 'bare node:http', 'ratio'], rows)]
}

function haproxySection (h: HaproxyResult): string[] {
  if (h.skipped !== undefined) return ['## 5. End to end through HAProxy', '', `Skipped: ${h.skipped}`]
  return ['## 5. End to end through HAProxy', '',
    `EMQX double flipped to donor; delay until HAProxy (${h.version}) takes the server out of rotation and back, read from its stats socket (ms). Sidecar poll interval ${h.pollIntervalMs} ms.`, '',
    table(['config', 'flips', 'out p50', 'out p99', 'out max', 'back p50', 'back p99', 'back max'],
      h.rows.map((x) => [x.config, String(x.out.n), ms(x.out.p50), ms(x.out.p99), ms(x.out.max), ms(x.back.p50), ms(x.back.p99), ms(x.back.max)])),
    ...(h.note !== undefined ? ['', h.note] : [])]
}
