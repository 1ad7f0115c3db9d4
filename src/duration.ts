/** Durations as operators write them: `500ms`, `2s`, `1m`, `1.5s`; a bare number means milliseconds. */
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }
const PATTERN = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/

/** Returns milliseconds, or undefined when the text is not a duration. */
export function parseDuration (text: string): number | undefined {
  const m = PATTERN.exec(text.trim())
  if (m === null) return undefined
  const value = Number(m[1]) * (UNITS[m[2] ?? 'ms'] ?? 1)
  return Number.isFinite(value) ? Math.round(value) : undefined
}

/** `1500` -> `1.5s`, `250` -> `250ms`: for help texts, logs and error messages. */
export function formatDuration (ms: number): string {
  if (ms % 60_000 === 0 && ms >= 60_000) return `${ms / 60_000}m`
  if (ms >= 1000) return `${ms / 1000}s`
  return `${ms}ms`
}
