import type { FootprintResult, RuntimeIdle } from '../sections/footprint.js'
import { median } from './stats.js'
import type { Memory, ModuleTable } from '../sections/modules.js'
import { imageNodeMajor } from './shipped.js'

/** Idle RSS against the floor of the stack, per runtime, and the modules table (bench/README.md, Footprint). */
const MIB = 2 ** 20
/** The sidecar may sit this far above the floor when idle. */
export const ABOVE_FLOOR = 10 * MIB
/** The runtimes the target needs: the oldest Node the package supports and the image's. */
export const FLOOR_MAJORS = (): number[] => [...new Set([20, imageNodeMajor()])]

const mib = (v: number): string => Number.isFinite(v) ? (v / MIB).toFixed(1) : 'n/a'
const signed = (v: number): string => Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${(v / MIB).toFixed(1)}` : 'n/a'
const ratio = (a: number, b: number): string => Number.isFinite(a / b) ? `${(a / b).toFixed(2)}x` : 'n/a'
const table = (head: readonly string[], rows: readonly (readonly string[])[]): string =>
  [head, head.map(() => '---'), ...rows].map((c) => `| ${c.join(' | ')} |`).join('\n')

const major = (runtime: string): number => Number(/^v(\d+)/.exec(runtime)?.[1])

/** A runtime's pairs: medians of each server's settled RSS, the median and range of the run-by-run difference, the peaks. */
export interface FloorStats {
  readonly runtime: string
  readonly runs: number
  readonly sidecar: number
  readonly floor: number
  readonly above: number
  readonly aboveRuns: readonly number[]
  /** VmHWM: the sidecar's median and largest start-up peak, the floor's median */
  readonly sidecarPeak: number
  readonly sidecarPeakMax: number
  readonly floorPeak: number
}

export function floorStats (r: RuntimeIdle): FloorStats {
  const aboveRuns = r.runs.map((p) => p.sidecar.rss - p.floor.rss)
  return {
    runtime: r.runtime,
    runs: r.runs.length,
    sidecar: median(r.runs.map((p) => p.sidecar.rss)),
    floor: median(r.runs.map((p) => p.floor.rss)),
    above: median(aboveRuns),
    aboveRuns,
    sidecarPeak: median(r.runs.map((p) => p.sidecar.hwm)),
    sidecarPeakMax: Math.max(...r.runs.map((p) => p.sidecar.hwm)),
    floorPeak: median(r.runs.map((p) => p.floor.hwm)),
  }
}

export function floorTarget (f: FootprintResult): { target: string, figure: string, met: boolean } {
  const majors = FLOOR_MAJORS()
  const target = `idle RSS <= floor + ${ABOVE_FLOOR / MIB} MiB ` +
    `(fastify + undici + pino + prom-client, listening; Node ${majors.join(' and Node ')}, the image's)`
  const rows = majors.map((m) => {
    const r = f.runtimes.find((x) => major(x.runtime) === m)
    return { m, st: r === undefined || r.runs.length === 0 ? undefined : floorStats(r) }
  })
  const figure = rows.map(({ m, st }) => st === undefined
    ? `not measured on Node ${m} (npm run bench -- --node PATH)`
    : `${st.runtime}: ${mib(st.sidecar)} vs ${mib(st.floor)} MiB (${signed(st.above)}, ${ratio(st.sidecar, st.floor)})`).join('; ')
  return { target, figure, met: rows.every(({ st }) => st !== undefined && st.above <= ABOVE_FLOOR) }
}

const spread = (v: readonly number[]): string => v.length < 2 ? '' : ` (${signed(Math.min(...v))} to ${signed(Math.max(...v))})`

export function floorSection (f: FootprintResult): string[] {
  const st = f.runtimes.filter((r) => r.runs.length > 0).map(floorStats)
  if (st.length === 0) return []
  const rows = st.map((s) => [
    s.runtime, String(s.runs), mib(s.sidecar), mib(s.floor), `${signed(s.above)}${spread(s.aboveRuns)}`, ratio(s.sidecar, s.floor),
    s.above <= ABOVE_FLOOR ? 'met' : '**MISSED**', `${mib(s.sidecarPeak)} (max ${mib(s.sidecarPeakMax)})`, mib(s.floorPeak),
  ])
  const peak = st.reduce<FloorStats | undefined>((a, s) => a === undefined || s.sidecarPeakMax > a.sidecarPeakMax ? s : a, undefined)
  return ['### Idle RSS against the floor', '',
    'The sidecar (dist/cli.js through its shebang, polling the EMQX double every second) and the floor (bench/servers/floor.ts: ' +
      'fastify with one route, ready and listening, an undici Pool making the same GET availability_check once a second, a pino ' +
      'logger and a prom-client registry with the default metrics, set up as the sidecar sets them up; same node flags) started ' +
      'together and left idle; after the settle time, ' +
      'VmRSS (/proc/<pid>/status) is read every sample interval until three samples in a row lie within 1%, and their median ' +
      'is the run\'s figure. Each run starts a fresh pair: RSS medians of the runs, and the median (range) of the run-by-run ' +
      'difference. Start-up peak: VmHWM at the end of a run. MiB. ' +
      `Target: the sidecar within ${ABOVE_FLOOR / MIB} MiB of the floor.`, '',
    table(['node', 'runs', 'sidecar idle RSS', 'floor idle RSS', 'sidecar - floor', 'sidecar / floor', `<= floor + ${ABOVE_FLOOR / MIB} MiB`,
      'sidecar start-up peak (VmHWM)', 'floor VmHWM'], rows),
    ...(peak !== undefined ? ['', `Largest start-up peak: ${mib(peak.sidecarPeakMax)} MiB on Node ${peak.runtime}.`] : [])]
}

const pair = (m: Memory | undefined, f: (v: number) => string): [string, string] => m === undefined ? ['', ''] : [f(m.rss), f(m.heapUsed)]

/** One row per group: files, alone, added, and the running total in load order; node first, the running sidecar last. */
function moduleRows (t: ModuleTable): string[][] {
  const rows: string[][] = [['node itself, nothing imported', '', '', '', '', '', ...pair(t.node, mib)]]
  let total: Memory = t.node
  for (const g of t.groups) {
    total = { rss: total.rss + g.added.rss, heapUsed: total.heapUsed + g.added.heapUsed }
    const inner = g.packages.filter(([p]) => p !== g.name).slice(0, 4).map(([p, n]) => `${p} ${n}`).join(', ')
    const name = `${g.name}${inner !== '' ? ` (with ${inner})` : ''}`
    rows.push([name, String(g.files), ...pair(g.alone, signed), ...pair(g.added, signed), ...pair(total, mib)])
  }
  const files = t.groups.reduce((a, g) => a + g.files, 0)
  const running = { rss: t.running.rss - total.rss, heapUsed: t.running.heapUsed - total.heapUsed }
  rows.push(['the sidecar running, idle (listening, polling; its own state and lazily loaded code)', String(files), '', '',
    ...pair(running, signed), ...pair(t.running, mib)])
  return rows
}

export function moduleSection (f: FootprintResult): string[] {
  if (f.modules.length === 0) return []
  const out = ['### Modules loaded at idle and what they cost', '',
    'Listed in a running sidecar (bench/servers/module-list.ts, preloaded): its CommonJS modules grouped by the package at ' +
      'the root of their require chain, and its own ES modules under dist/. Cost: fresh node processes under the sidecar\'s ' +
      'node flags (bench/servers/module-cost.ts) import a package alone, or the packages one after the other in the sidecar\'s ' +
      'load order and then its own modules (dist/commands/serve.js), and read RSS and the V8 heap in use after a full GC ' +
      '(median of the processes). "Added" is over the row above, so a dependency shared with an earlier package is counted ' +
      'there. The last row is the sidecar itself, after the same GC, measured inside its main thread (RSS covers every thread). MiB.']
  for (const t of f.modules) {
    const head = ['loaded', 'files', 'RSS alone', 'heap alone', 'RSS added', 'heap added', 'RSS, total so far', 'heap, total so far']
    out.push('', `Node ${t.runtime} (${t.repeats} process(es) per row; ${t.wasm} WebAssembly module(s) in the running sidecar):`, '',
      table(head, moduleRows(t)))
  }
  return out
}
