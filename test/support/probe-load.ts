import { Pool } from 'undici'

export interface ProbeStats {
  readonly count: number
  readonly errors: readonly string[]
  /** answers by HTTP status */
  readonly statuses: Readonly<Record<string, number>>
  readonly p50Ms: number
  readonly p99Ms: number
  readonly maxMs: number
}

export function percentile (sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0
}

export function formatStats (s: ProbeStats): string {
  return `${s.count} probes, p50 ${s.p50Ms.toFixed(2)}ms, p99 ${s.p99Ms.toFixed(2)}ms, max ${s.maxMs.toFixed(2)}ms, ${s.errors.length} errors`
}

/**
 * Load-balancer-like probing of a sidecar while something else happens: `loops` keep-alive
 * connections, each sending GET `path` every `pauseMs`, recording latency, status and errors.
 */
export class ProbeLoad {
  readonly #pool: Pool
  readonly #path: string
  readonly #pauseMs: number
  readonly #loops: Array<Promise<void>> = []
  readonly #latencies: number[] = []
  readonly #errors: string[] = []
  readonly #statuses: Record<string, number> = {}
  #stopped = false

  readonly #warmup: number

  constructor (baseUrl: string, opts: { loops?: number, pauseMs?: number, path?: string, warmup?: number } = {}) {
    const loops = opts.loops ?? 2
    // the first requests of a loop include connecting and a cold JIT; they are answered but not timed
    this.#warmup = opts.warmup ?? 3
    this.#pool = new Pool(baseUrl, { connections: loops, pipelining: 1, headersTimeout: 5000, bodyTimeout: 5000 })
    this.#path = opts.path ?? '/readyz'
    this.#pauseMs = opts.pauseMs ?? 5
    for (let i = 0; i < loops; i++) this.#loops.push(this.#loop())
  }

  async #loop (): Promise<void> {
    for (let i = 0; !this.#stopped; i++) {
      const started = performance.now()
      try {
        const res = await this.#pool.request({ method: 'GET', path: this.#path })
        await res.body.dump()
        if (i >= this.#warmup) this.#latencies.push(performance.now() - started)
        this.#statuses[res.statusCode] = (this.#statuses[res.statusCode] ?? 0) + 1
      } catch (err) {
        this.#errors.push(String((err as { code?: string }).code ?? err))
      }
      if (this.#pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, this.#pauseMs))
    }
  }

  /** Stops the loops, closes the connections and returns what was measured. */
  async stop (): Promise<ProbeStats> {
    this.#stopped = true
    await Promise.all(this.#loops)
    await this.#pool.close()
    const sorted = [...this.#latencies].sort((a, b) => a - b)
    return { count: sorted.length, errors: this.#errors, statuses: this.#statuses, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), maxMs: sorted.at(-1) ?? 0 }
  }
}
