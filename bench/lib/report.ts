import type { DrainResult } from '../sections/drain.js'
import type { FootprintResult } from '../sections/footprint.js'
import type { HaproxyResult } from '../sections/haproxy.js'
import { describeShape, type ServingResult } from '../sections/serving.js'
import type { StormResult } from '../sections/storm.js'
import type { UpstreamResult } from '../sections/upstream.js'
import { stormSection, stormTarget } from './report-storm.js'

export interface Results {
  readonly machine: { readonly cpu: string, readonly cores: number, readonly node: string, readonly os: string, readonly date: string, readonly load: string }
  readonly mode: string
  readonly serving?: ServingResult
  readonly drain?: readonly DrainResult[]
  readonly upstream?: UpstreamResult
  readonly footprint?: FootprintResult
  readonly storm?: StormResult
  readonly haproxy?: HaproxyResult
}

export interface TargetCheck { readonly target: string, readonly figure: string, readonly met: boolean }

const SIDECAR = 'sidecar'
const BARE = 'bare node:http'
const MB = 1024 * 1024

const ms = (v: number): string => Number.isFinite(v) ? (v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0)) : 'n/a'
const num = (v: number): string => Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : 'n/a'
const mb = (v: number): string => Number.isFinite(v) ? `${(v / MB).toFixed(1)} MB` : 'n/a'
const ratio = (v: number): string => Number.isFinite(v) ? `${v.toFixed(2)}x` : 'n/a'
const row = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`
const table = (head: readonly string[], rows: readonly (readonly string[])[]): string =>
  [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n')

/** The pass/fail list: each target from the issue with the figure it was judged on. */
export function checkTargets (r: Results): TargetCheck[] {
  const out: TargetCheck[] = []
  const s = r.serving
  if (s !== undefined && s.targets.includes(SIDECAR) && s.targets.includes(BARE)) {
    const closed = s.rows.filter((x) => x.shape.rate === undefined).map((x) => ({ x, q: (x.reports.get(SIDECAR)?.rps ?? NaN) / (x.reports.get(BARE)?.rps ?? NaN) }))
    const worst = closed.reduce<typeof closed[number] | undefined>((a, b) => a === undefined || !(b.q >= a.q) ? b : a, undefined)
    if (worst !== undefined) out.push({ target: 'probe throughput >= 0.8x bare node:http (every closed-loop load)', figure: `lowest ${ratio(worst.q)} (${describeShape(worst.x.shape)})`, met: closed.every((c) => c.q >= 0.8) })
    for (const x of s.rows.filter((x) => x.shape.rate !== undefined && x.shape.rate <= x.shape.connections)) {
      const p99 = x.reports.get(SIDECAR)?.latency.p99 ?? NaN
      out.push({ target: `p99 < 5 ms at ${num(x.shape.connections)} connections probing once a second (${x.shape.keepAlive ? 'keep-alive' : 'new conn per request'})`, figure: `${ms(p99)} ms`, met: p99 < 5 })
    }
  }
  const d = r.drain?.find((x) => x.intervalMs === 1000)
  if (d !== undefined) out.push({ target: 'drain detection p99 <= poll interval + 50 ms (default 1 s)', figure: `${ms(d.drain.p99)} ms (recovery ${ms(d.recover.p99)} ms)`, met: d.drain.p99 <= 1050 && d.recover.p99 <= 1050 })
  const u = r.upstream
  if (u !== undefined && u.rows.length > 0) {
    const per = u.rows.map((x) => x.upstreamPerSecond * u.intervalMs / 1000)
    out.push({ target: 'EMQX requests flat at one per poll interval, whatever the probe rate (+-15%)', figure: `${per.map((v) => v.toFixed(2)).join(' / ')} per interval`, met: per.every((v) => v >= 0.85 && v <= 1.15) })
  }
  const f = r.footprint
  if (f !== undefined) {
    out.push({ target: 'idle RSS < 60 MB', figure: mb(f.sidecarIdle.rssBytes), met: f.sidecarIdle.rssBytes < 60 * MB })
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
  if (r.storm !== undefined) parts.push('', ...stormSection(r.storm))
  if (r.haproxy !== undefined) parts.push('', ...haproxySection(r.haproxy))
  return parts.join('\n') + '\n'
}

function servingSection (s: ServingResult): string[] {
  const rows: string[][] = []
  for (const x of s.rows) {
    const bare = x.reports.get(BARE)?.rps ?? NaN
    for (const name of s.targets) {
      const rep = x.reports.get(name)
      if (rep === undefined) continue
      const non200 = Object.entries(rep.statuses).filter(([k]) => k !== '200').reduce((a, [, v]) => a + v, 0)
      rows.push([describeShape(x.shape), name, num(rep.rps), ms(rep.latency.p50), ms(rep.latency.p99), ms(rep.latency.max), String(rep.errors + non200), name === BARE ? '1.00x' : ratio(rep.rps / bare)])
    }
  }
  return ['## 1. Probe serving', '',
    '`GET /availability`. Closed-loop loads send again as soon as an answer arrives, so their latency is mostly queueing (connections / throughput);',
    'the fixed-rate loads spread the requests evenly and time them from their scheduled send (no coordinated omission). Latencies in ms.', '',
    table(['load', 'server', 'req/s', 'p50', 'p99', 'max', 'errors + non-200', 'req/s vs bare'], rows)]
}

function footprintSection (f: FootprintResult | undefined, s: ServingResult | undefined): string[] {
  const rows: string[][] = []
  if (f !== undefined) {
    rows.push(['idle RSS (fresh process)', mb(f.sidecarIdle.rssBytes), mb(f.bareIdle.rssBytes), ratio(f.sidecarIdle.rssBytes / f.bareIdle.rssBytes)])
    rows.push(['RSS of fastify + undici + pino + prom-client loaded, nothing started (the floor)', mb(f.librariesRss), '', ratio(f.librariesRss / f.bareIdle.rssBytes)])
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
