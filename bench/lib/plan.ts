import { parseArgs } from 'node:util'
import type { ProbeCostOptions } from '../sections/probe-cost.js'
import type { FootprintOptions } from '../sections/footprint.js'
import type { Shape } from '../sections/serving.js'
import type { StormOptions } from '../sections/storm.js'

export const SECTIONS = ['probe-cost', 'serving', 'drain', 'upstream', 'footprint', 'haproxy'] as const
export type Section = typeof SECTIONS[number]

/** What one bench run does: the full plan, or the smoke plan that CI runs in seconds. */
export interface Plan {
  readonly smoke: boolean
  readonly out: string | undefined
  readonly sections: ReadonlySet<Section>
  readonly probeCost: ProbeCostOptions
  readonly serving: { readonly shapes: readonly Shape[], readonly durationMs: number, readonly warmupMs: number, readonly runs: number }
  readonly drain: { readonly intervalsMs: readonly number[], readonly flips: number }
  readonly upstream: { readonly rates: readonly number[], readonly durationMs: number }
  readonly footprint: FootprintOptions
  readonly storm: StormOptions
  readonly haproxy: { readonly flips: number, readonly pollIntervalMs: number, readonly maxPauseMs: number }
}

/**
 * Closed-loop loads at 1, 100 and 1,000 connections measure throughput; their latency is queueing by
 * construction (1,000 connections / 20,000 req/s = 50 ms for any server). The p99 target is judged at a
 * fixed rate instead: 1,000 checkers probing once a second each (a large fleet at a common interval),
 * plus 1,000 keep-alive checkers at five times that rate for context.
 */
const FULL_SHAPES: readonly Shape[] = [
  // the steady state of a fleet first: right after a saturating load, the servers' heaps shrink (GC), and
  // that aftermath of the stress test is not what a fleet probing at a steady rate sees
  { connections: 1000, keepAlive: true, rate: 1000 },
  { connections: 1000, keepAlive: false, rate: 1000 },
  { connections: 1000, keepAlive: true, rate: 5000 },
  ...[true, false].flatMap((keepAlive) => [1, 100, 1000].map((connections) => ({ connections, keepAlive }))),
]

const SMOKE_SHAPES: readonly Shape[] = [
  { connections: 50, keepAlive: true, rate: 50 }, { connections: 50, keepAlive: false, rate: 50 },
  // 100 keep-alive connections: with wrk, the smallest load the same-core pairs run on
  { connections: 100, keepAlive: true }, { connections: 20, keepAlive: false },
]

/** A load's name for --loads: connections, k (keep-alive) or n (new connection per request), @rate if fixed: `1000k@1000`. */
export function shapeKey (s: Shape): string {
  return `${s.connections}${s.keepAlive ? 'k' : 'n'}${s.rate !== undefined ? `@${s.rate}` : ''}`
}

export const USAGE = `npm run bench -- [--smoke] [--out FILE] [--only ${SECTIONS.join(',')}] [--loads LIST] [--duration SECONDS]
  --smoke      a few seconds of everything (CI); prints the table, writes a file only with --out
  --out FILE   where to write the markdown (default bench/results.md; none in smoke mode)
  --only LIST  run only these sections
  --loads LIST run only these probe-serving loads: ${FULL_SHAPES.map(shapeKey).join(', ')}
  --duration   seconds per load: probe-serving loads (default 5) and probe-cost's measured h2load window (default 20)
  --runs N     runs of each probe-cost rate and of each probe-serving load per server (default 3; smoke 1)
  --node PATH  a node binary for the footprint rows per runtime (idle RSS vs floor, modules, storm); repeat for
               several runtimes (default: this node)`

export function plan (argv: readonly string[], defaultOut: string): Plan {
  const { values } = parseArgs({
    args: [...argv],
    options: { smoke: { type: 'boolean' }, out: { type: 'string' }, only: { type: 'string' }, loads: { type: 'string' }, duration: { type: 'string' }, runs: { type: 'string' }, node: { type: 'string', multiple: true }, help: { type: 'boolean' } },
    strict: true,
  })
  if (values.help === true) throw new UsageError(USAGE)
  const smoke = values.smoke === true || process.env.BENCH_SMOKE === '1'
  const only = values.only?.split(',').map((s) => s.trim()).filter((s) => s !== '')
  const unknown = only?.filter((s) => !(SECTIONS as readonly string[]).includes(s)) ?? []
  if (unknown.length > 0) throw new UsageError(`unknown section(s) ${unknown.join(', ')}; sections: ${SECTIONS.join(', ')}`)
  const durationMs = values.duration !== undefined ? Number(values.duration) * 1000 : smoke ? 400 : 5000
  // 20 s: the floor takes about 40 ticks (1/100 s) of CPU in 10 s at 1,000/s, so one tick was 2-3% of a ratio
  const probeCostMs = values.duration !== undefined ? durationMs : smoke ? 1000 : 20_000
  if (!(durationMs > 0)) throw new UsageError(`--duration must be a positive number of seconds, got ${String(values.duration)}`)
  const allShapes = smoke ? SMOKE_SHAPES : FULL_SHAPES
  const loads = values.loads?.split(',').map((s) => s.trim()).filter((s) => s !== '')
  const unknownLoads = loads?.filter((k) => !allShapes.some((sh) => shapeKey(sh) === k)) ?? []
  if (unknownLoads.length > 0) throw new UsageError(`unknown load(s) ${unknownLoads.join(', ')}; loads: ${allShapes.map(shapeKey).join(', ')}`)
  const runs = values.runs !== undefined ? Number(values.runs) : smoke ? 1 : 3
  if (!Number.isInteger(runs) || runs < 1) throw new UsageError(`--runs must be a whole number >= 1, got ${String(values.runs)}`)
  const nodes = values.node ?? [process.execPath]
  return {
    smoke,
    out: values.out ?? (smoke ? undefined : defaultOut),
    sections: new Set((only ?? SECTIONS) as Section[]),
    // checker fleets' rates (issue 24): 100 keep-alive connections at 10 and 100 probes a second each
    probeCost: { rates: [1000, 10_000], connections: 100, warmupMs: smoke ? 500 : 2000, durationMs: probeCostMs, runs, settleMs: smoke ? 0 : 30_000 },
    serving: { shapes: loads === undefined ? allShapes : allShapes.filter((sh) => loads.includes(shapeKey(sh))), durationMs, warmupMs: smoke ? 100 : 1000, runs },
    drain: smoke ? { intervalsMs: [100], flips: 10 } : { intervalsMs: [1000, 250, 500], flips: 200 },
    upstream: smoke ? { rates: [10, 100], durationMs: 1500 } : { rates: [10, 100, 1000, 10_000], durationMs: 10_000 },
    footprint: {
      nodes,
      ...(smoke
        ? { settleMs: 500, sampleMs: 100, cpuWindowMs: 700, starts: 1, floorRuns: 1, moduleRepeats: 1, moduleAlone: false }
        : { settleMs: 5000, sampleMs: 1000, cpuWindowMs: 30_000, starts: 5, floorRuns: 3, moduleRepeats: 3, moduleAlone: true }),
    },
    // the storm of issue 19: 1,000 checkers opening a new connection per probe for 5 s; RSS 15 s later
    storm: {
      nodes,
      ...(smoke ? { connections: 50, durationMs: 1000, settleMs: 300, laterMs: 1000, repeats: 1 } : { connections: 1000, durationMs: 5000, settleMs: 3000, laterMs: 15_000, repeats: 3 }),
    },
    haproxy: smoke ? { flips: 1, pollIntervalMs: 1000, maxPauseMs: 100 } : { flips: 10, pollIntervalMs: 1000, maxPauseMs: 1000 },
  }
}

export class UsageError extends Error {}
