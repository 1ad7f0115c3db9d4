/**
 * Durations as operators write them: `500ms`, `2s`, `1m`, `1.5s`, `1h`. Every duration needs a unit: a bare
 * `60` would be 60 ms to one reader and 60 s to another, so it is refused, never guessed. Only `0` may go
 * without one (zero is zero in every unit), as in Go's time.ParseDuration.
 */
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }
const PATTERN = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/
const BARE_NUMBER = /^\d+(?:\.\d+)?$/

/** The rule, as error messages and docs state it. */
export const DURATION_RULE = 'every duration needs a unit'

/** Returns milliseconds, or undefined when the text is not a duration (a bare number other than 0 is not). */
export function parseDuration (text: string): number | undefined {
  const t = text.trim()
  if (t === '0') return 0
  const m = PATTERN.exec(t)
  if (m === null) return undefined
  const value = Number(m[1]) * (UNITS[m[2] ?? ''] ?? NaN)
  return Number.isFinite(value) ? Math.round(value) : undefined
}

/**
 * Why text is not a duration, for a problem message after the option's name, or undefined when it is one:
 * `"60" has no unit: write 60s or 60ms (every duration needs a unit)`.
 */
export function durationProblem (text: string): string | undefined {
  if (parseDuration(text) !== undefined) return undefined
  const t = text.trim()
  if (BARE_NUMBER.test(t)) return `"${text}" has no unit: write ${t}s or ${t}ms (${DURATION_RULE})`
  return `"${text}" is not a duration (e.g. 500ms, 2s, 1m, 1h)`
}

/** `1500` -> `1.5s`, `250` -> `250ms`: for help texts, logs and error messages. */
export function formatDuration (ms: number): string {
  if (ms % 60_000 === 0 && ms >= 60_000) return `${ms / 60_000}m`
  if (ms >= 1000) return `${ms / 1000}s`
  return `${ms}ms`
}
