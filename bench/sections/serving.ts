import { load, type LoadReport } from '../lib/load.js'
import { rssBytes, type Target } from '../lib/proc.js'

/** One load shape: closed loop (as fast as answers come) or a fixed total rate. */
export interface Shape {
  readonly connections: number
  readonly keepAlive: boolean
  readonly rate?: number
}

export interface ServingRow {
  readonly shape: Shape
  /** per target name */
  readonly reports: ReadonlyMap<string, LoadReport>
}

export interface ServingResult {
  readonly targets: readonly string[]
  readonly rows: readonly ServingRow[]
  /** RSS in bytes per target before the first and after the last load */
  readonly rssBefore: ReadonlyMap<string, number>
  readonly rssAfter: ReadonlyMap<string, number>
}

export interface ServingOptions {
  readonly targets: readonly Target[]
  readonly shapes: readonly Shape[]
  readonly durationMs: number
  readonly warmupMs: number
  readonly progress: (msg: string) => void
}

/**
 * Probe serving: every shape is run against every target back to back (not one target after the
 * other), so that noise from a shared machine lands on all targets alike and the ratios stay fair.
 */
export async function serving (o: ServingOptions): Promise<ServingResult> {
  const rssBefore = new Map(o.targets.map((t) => [t.name, rssBytes(t.pid)]))
  for (const t of o.targets) {
    // one untimed run per target: JIT warm-up and first allocations are not what a long-running checker sees
    await load({ host: '127.0.0.1', port: t.port, path: '/availability', connections: 50, keepAlive: true, durationMs: o.warmupMs, warmupMs: 0 })
  }
  const rows: ServingRow[] = []
  for (const shape of o.shapes) {
    const reports = new Map<string, LoadReport>()
    for (const t of o.targets) {
      o.progress(`serving: ${t.name}, ${describeShape(shape)}`)
      reports.set(t.name, await load({ host: '127.0.0.1', port: t.port, path: '/availability', ...shape, durationMs: o.durationMs, warmupMs: o.warmupMs }))
    }
    rows.push({ shape, reports })
  }
  const rssAfter = new Map(o.targets.map((t) => [t.name, rssBytes(t.pid)]))
  return { targets: o.targets.map((t) => t.name), rows, rssBefore, rssAfter }
}

export function describeShape (s: Shape): string {
  return `${s.connections} conn, ${s.keepAlive ? 'keep-alive' : 'new conn per request'}${s.rate !== undefined ? `, fixed ${s.rate} req/s` : ''}`
}
