/**
 * "Did you mean": the closest of the known names to a mistyped one (optimal string alignment distance:
 * insertions, deletions, substitutions and swaps of neighbours), or undefined when none is close enough
 * (at most 1 edit for a short name, a third of its length for a longer one).
 */
export function closest (word: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(1, Math.floor(word.length / 3))
  let best: string | undefined
  let bestDistance = limit + 1
  for (const c of candidates) {
    const d = distance(word, c)
    if (d < bestDistance) { best = c; bestDistance = d }
  }
  return best
}

function distance (a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i])
  for (let j = 1; j <= b.length; j++) (rows[0] as number[])[j] = j
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] as number[]
    const up = rows[i - 1] as number[]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let d = Math.min((up[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (up[j - 1] ?? 0) + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, ((rows[i - 2] as number[])[j - 2] ?? 0) + 1)
      row[j] = d
    }
  }
  return (rows[a.length] as number[])[b.length] ?? 0
}
