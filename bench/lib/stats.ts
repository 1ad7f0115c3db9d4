/** Percentiles and rates: pure helpers shared by every section. */
export interface Summary {
  readonly n: number
  readonly p50: number
  readonly p90: number
  readonly p99: number
  readonly max: number
  readonly mean: number
}

/** Nearest-rank percentiles (p99 of 200 samples is the 198th smallest). NaN everywhere when empty. */
export function summarize (values: ArrayLike<number>): Summary {
  const sorted = Float64Array.from(values).sort()
  const n = sorted.length
  if (n === 0) return { n, p50: NaN, p90: NaN, p99: NaN, max: NaN, mean: NaN }
  const rank = (p: number): number => sorted[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))] ?? NaN
  let sum = 0
  for (const v of sorted) sum += v
  return { n, p50: rank(0.5), p90: rank(0.9), p99: rank(0.99), max: sorted[n - 1] ?? NaN, mean: sum / n }
}

export function median (values: readonly number[]): number {
  return summarize(values).p50
}

export function mean (values: readonly number[]): number {
  return summarize(values).mean
}
