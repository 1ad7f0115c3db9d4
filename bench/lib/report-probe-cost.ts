import { problems, usPerProbe, type ProbeCostResult, type ProbeCostRow, type ProbeCostRun, type ServerWindow } from '../sections/probe-cost.js'
import { mean, median } from './stats.js'

/**
 * The probe-cost table and its target: the sidecar's CPU per probe within 15% of the libraries' floor
 * answering with the bare handler, at each rate.
 */
export const PROBE_COST_LIMIT = 1.15
/** h2load must keep at least this share of the asked rate for a run to count. */
export const RATE_KEPT = 0.95

const num = (v: number): string => Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : 'n/a'
const us = (v: number): string => Number.isFinite(v) ? v.toFixed(1) : 'n/a'
const ratio = (v: number): string => Number.isFinite(v) ? `${v.toFixed(2)}x` : 'n/a'
const table = (head: readonly string[], rows: readonly (readonly string[])[]): string =>
  [head, head.map(() => '---'), ...rows].map((c) => `| ${c.join(' | ')} |`).join('\n')
const range = (v: readonly number[], f: (n: number) => string): string => v.length < 2 ? '' : `${f(Math.min(...v))}-${f(Math.max(...v))}`

export interface ProbeCostStats {
  readonly rate: number
  readonly runs: number
  readonly sidecarUs: number
  readonly floorUs: number
  /** run by run: the sidecar's CPU per probe over the floor's in the same window */
  readonly ratios: readonly number[]
  readonly ratio: number
  /** probes answered per second in the main duration, medians */
  readonly sidecarRps: number
  readonly floorRps: number
  /** not answered 2xx, errored or timed out: both servers, every run */
  readonly problems: number
  /** fewest CPU ticks in one server's window: the resolution of the figure is one tick in that many */
  readonly fewestTicks: number
  /** every run kept the asked rate (RATE_KEPT) */
  readonly rateKept: boolean
  /** the sidecar against the bare server alone, run by run (empty when not measured) */
  readonly bareRatios: readonly number[]
  readonly bareSidecarUs: number
  readonly bareUs: number
}

export function probeCostStats (p: ProbeCostResult, x: ProbeCostRow): ProbeCostStats {
  const rps = (w: ServerWindow): number => w.report.done / (p.durationMs / 1000)
  const cost = (w: ServerWindow): number => usPerProbe(w, p.clockTicks)
  // a run's pairs: the sidecar's load started first, then (when measured) the floor's
  const orders = (r: ProbeCostRun): Array<{ sidecar: ServerWindow, floor: ServerWindow }> => r.swapped === undefined ? [r] : [r, r.swapped]
  const windows = x.runs.flatMap(orders)
  const sidecarRps = windows.map((w) => rps(w.sidecar))
  const floorRps = windows.map((w) => rps(w.floor))
  // the geometric mean of the two orders' ratios: what one order adds, the other takes away
  const ratios = x.runs.map((r) => Math.exp(mean(orders(r).map((w) => Math.log(cost(w.sidecar) / cost(w.floor))))))
  const pairs = x.runs.flatMap((r) => r.againstBare === undefined ? [] : [r.againstBare])
  return {
    rate: x.rate,
    runs: x.runs.length,
    sidecarUs: median(x.runs.map((r) => mean(orders(r).map((w) => cost(w.sidecar))))),
    floorUs: median(x.runs.map((r) => mean(orders(r).map((w) => cost(w.floor))))),
    ratios,
    ratio: median(ratios),
    sidecarRps: median(sidecarRps),
    floorRps: median(floorRps),
    problems: windows.reduce((a, w) => a + problems(w.sidecar.report) + problems(w.floor.report), 0),
    fewestTicks: Math.min(...windows.flatMap((w) => [w.sidecar.ticks, w.floor.ticks])),
    rateKept: [...sidecarRps, ...floorRps].every((v) => v >= x.rate * RATE_KEPT),
    bareRatios: pairs.map((q) => cost(q.sidecar) / cost(q.bare)),
    bareSidecarUs: median(pairs.map((q) => cost(q.sidecar))),
    bareUs: median(pairs.map((q) => cost(q.bare))),
  }
}

const invalid = (s: ProbeCostStats): string =>
  `${num(s.rate)}/s (${s.problems > 0 ? `${num(s.problems)} failed or non-2xx` : 'rate not kept'})`

export function probeCostTarget (p: ProbeCostResult): { target: string, figure: string, met: boolean } {
  const rates = p.rows.map((x) => num(x.rate)).join(' and ')
  const at = rates === '' ? 'checker rates' : `${rates} probes/s`
  const target = `CPU per probe <= ${PROBE_COST_LIMIT.toFixed(2)}x the libraries' floor at ${at} ` +
    '(fastify + undici + pino + prom-client loaded, the bare node:http handler answering; ' +
    `${num(p.connections)} keep-alive conn, h2load at a fixed rate, both on one core at once)`
  if (p.skipped !== undefined || p.rows.length === 0) return { target, figure: `not measured: ${p.skipped ?? 'no rates'}`, met: false }
  const st = p.rows.map((x) => probeCostStats(p, x))
  const bad = st.filter((s) => s.problems > 0 || !s.rateKept)
  const one = (s: ProbeCostStats): string => `${ratio(s.ratio)} at ${num(s.rate)}/s (${us(s.sidecarUs)} vs ${us(s.floorUs)} µs)`
  const figure = st.map(one).join(', ') +
    (bad.length > 0 ? `; not valid at ${bad.map(invalid).join(', ')}` : '')
  return { target, figure, met: bad.length === 0 && st.every((s) => s.ratio <= PROBE_COST_LIMIT) }
}

export function probeCostSection (p: ProbeCostResult): string[] {
  const head = ['### CPU per probe at checker rates', '']
  if (p.skipped !== undefined) return [...head, `Skipped: ${p.skipped}.`]
  const stats = p.rows.map((x) => probeCostStats(p, x))
  const rows = stats.map((s) => [
    num(s.rate), us(s.sidecarUs), us(s.floorUs), ratio(s.ratio), range(s.ratios, ratio), String(s.runs),
    `${num(s.sidecarRps)} / ${num(s.floorRps)}`, num(s.problems), num(s.fewestTicks),
  ])
  const rps = p.rows.map((x) => x.rate / p.connections).join('|')
  const pinning = p.pinned ? 'both pinned to CPU 0 and each h2load to CPU 1 (taskset)' : '**not pinned** (one CPU or no taskset)'
  return [...head,
    `\`GET /availability\` at a fixed rate from ${num(p.connections)} keep-alive connections ` +
      `(\`h2load --h1 -c${p.connections} --rps ${rps}\`: requests a second per connection; ${p.warmupMs / 1000} s warm-up, ` +
      `${p.durationMs / 1000} s measured), to the sidecar and to the libraries' floor at the same time, ${pinning}` +
      settled(p) + '. ' +
      'The floor (bench/servers/floor.ts) is a process that loads and sets up fastify (one route, listening), undici, ' +
      'pino and prom-client as the sidecar does and does nothing else; the bare node:http handler preloaded into it ' +
      `(bench/servers/in-process.ts) answers with the sidecar's status, headers and body; same node flags: ${p.flags.join(' ')}.`,
    `CPU µs/probe: the server process's utime + stime (/proc/<pid>/stat, every thread, in 1/${p.clockTicks} s ticks) over ` +
      'h2load\'s measured duration, divided by the probes answered in it; median of the runs. Each run loads the pair twice, ' +
      'the sidecar\'s h2load started first and then the floor\'s (of two identical servers loaded at once, the first-started ' +
      'load\'s pays a few percent more: bench/README.md); a run\'s ratio is the geometric mean of its two, both servers in the ' +
      'same seconds, and the ratio is the median of the runs\' ratios. ' +
      `Target: <= ${PROBE_COST_LIMIT.toFixed(2)}x at every rate, every probe answered 2xx, h2load keeping ${RATE_KEPT * 100}% ` +
      'of the rate.', '',
    table(['probes/s per server', 'sidecar µs/probe', 'floor µs/probe', 'sidecar / floor', 'range', 'runs',
      'answered/s sidecar / floor', 'failed or non-2xx', 'fewest ticks in a window'], rows),
    ...bareTable(stats)]
}

/**
 * Against no libraries at all: the sidecar and the bare node:http server in a process of its own, in the
 * seconds after each run above; the quotient of the two ratios is what the four libraries cost any handler.
 * Information, not a target.
 */
function bareTable (stats: readonly ProbeCostStats[]): string[] {
  const st = stats.filter((s) => s.bareRatios.length > 0)
  if (st.length === 0) return []
  const rows = st.map((s) => {
    const vsBare = median(s.bareRatios)
    return [num(s.rate), us(s.bareSidecarUs), us(s.bareUs), ratio(vsBare), range(s.bareRatios, ratio), ratio(vsBare / s.ratio)]
  })
  return ['',
    'Against no libraries: in the seconds after each run above, the sidecar and the bare node:http server in a process of ' +
      'its own (bench/servers/bare-http.ts), loaded the same way. The last column, the ratio to bare over the ratio to the ' +
      'floor, is what loading the four libraries costs any handler. Information, not a target.', '',
    table(['probes/s per server', 'sidecar µs/probe', 'bare node:http µs/probe', 'sidecar / bare', 'range',
      'floor / bare (the libraries)'], rows)]
}

/** The settling load before the first run, when there was one. */
function settled (p: ProbeCostResult): string {
  if (p.settleMs <= 0) return ''
  return `, after ${p.settleMs / 1000} s of probes to every server at ${num(p.rows[0]?.rate ?? 0)}/s, unmeasured ` +
    '(what a start costs once, TurboFan compiling the probe path and the start-up GCs, is not a cost per probe)'
}
