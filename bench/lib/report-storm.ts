import type { StormResult, StormRun } from '../sections/storm.js'
import { imageNodeMajor, sidecarMemory } from './shipped.js'
import { summarize } from './stats.js'

/** The footprint-under-a-storm table and its target (deploy/base's memory limit), in MiB like the manifests. */
const MIB = 2 ** 20
const SHARE = 0.8

const mib = (v: number): string => Number.isFinite(v) ? (v / MIB).toFixed(0) : 'n/a'
const count = (v: number): string => Number.isFinite(v) ? v.toFixed(0) : 'n/a'
/** median and spread over the runs: `119 (108-119)` */
function spread (runs: readonly StormRun[], pick: (r: StormRun) => number, fmt = mib): string {
  const s = summarize(runs.map(pick))
  if (s.n <= 1) return fmt(s.p50)
  return `${fmt(s.p50)} (${fmt(Math.min(...runs.map(pick)))}-${fmt(s.max)})`
}

export function medianPeak (storm: StormResult, major: number, target = 'sidecar'): number {
  const row = storm.rows.find((r) => r.target === target && Number(/^v(\d+)/.exec(r.runtime)?.[1]) === major)
  return row === undefined ? NaN : summarize(row.runs.map((r) => r.peak)).p50
}

/** Judged on the sidecar's median peak on the image's Node major: what the container's limit has to hold. */
export function stormTarget (storm: StormResult): { target: string, figure: string, met: boolean } {
  const major = imageNodeMajor()
  const { limit } = sidecarMemory()
  const peak = medianPeak(storm, major)
  const target = `RSS under a ${storm.durationMs / 1000} s storm of ${storm.connections.toLocaleString('en-US')} new-connection checkers <= ${SHARE * 100}% of deploy/base's sidecar memory limit (Node ${major}, the image's)`
  if (!Number.isFinite(peak)) return { target, figure: `not measured on Node ${major} (npm run bench -- --node PATH)`, met: false }
  return { target, figure: `peak ${mib(peak)} MiB of ${mib(limit)} MiB (${((peak / limit) * 100).toFixed(0)}%)`, met: peak <= SHARE * limit }
}

export function stormSection (storm: StormResult): string[] {
  const rows = storm.rows.map((r) => [r.runtime, r.target, spread(r.runs, (x) => x.idle), spread(r.runs, (x) => x.peak), spread(r.runs, (x) => x.after),
    spread(r.runs, (x) => x.later), spread(r.runs, (x) => x.requests, count)])
  const head = ['node', 'server', 'idle RSS', 'peak RSS', 'right after', `${storm.laterMs / 1000} s later`, 'requests answered']
  return ['### Footprint under a checker storm', '',
    `${storm.connections.toLocaleString('en-US')} checkers opening a new connection per probe (\`Connection: close\`) for ${storm.durationMs / 1000} s (${storm.generator}),`,
    `against the sidecar run as users run the binary (dist/cli.js through its shebang: node ${storm.flags.join(' ')}) and the bare node:http server under the same flags.`,
    `RSS in MiB: median (min-max) of ${storm.rows[0]?.runs.length ?? 0} runs, each on fresh servers. The figures move with the load on the machine (how many connections are open at once).`, '',
    [head, head.map(() => '---'), ...rows].map((c) => `| ${c.join(' | ')} |`).join('\n')]
}
