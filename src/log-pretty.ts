import type { DestinationStream } from 'pino'

/**
 * --log-format pretty: each JSON log line pino writes becomes one short line for a person,
 * `12:00:01 INFO  HTTP listening on 0.0.0.0:9183  port=9183`: the local time, the level, the component, the
 * message, then the line's short fields as key=value. Objects (the start-up configuration, a drain's
 * details) stay out of it: they are in the JSON (--log-format json) and in /status; an error shows its message.
 * Imported by log.ts only in pretty mode.
 */
const SKIP = new Set(['level', 'time', 'pid', 'name', 'msg', 'component', 'hostname', 'v', 'event'])
const MAX_VALUE = 80
const LEVEL_COLOR: Readonly<Record<string, string>> = {
  trace: '90', debug: '90', info: '32', warn: '33', error: '31', fatal: '35',
}

const pad2 = (n: number): string => String(n).padStart(2, '0')

function clock (iso: unknown): string {
  const d = typeof iso === 'string' ? new Date(iso) : new Date()
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`
}

function shortValue (v: unknown): string | undefined {
  if (v === null || typeof v === 'object' || typeof v === 'function' || v === undefined) return undefined
  const text = String(v)
  const quoted = /[\s"=]/.test(text) ? JSON.stringify(text) : text
  return quoted.length > MAX_VALUE ? `${quoted.slice(0, MAX_VALUE - 1)}\u2026` : quoted
}

/** One pretty line of one JSON log line (without its newline); a line that is not JSON is passed as it is. */
export function prettyLine (json: string, color: boolean): string {
  let o: Record<string, unknown>
  try {
    const parsed: unknown = JSON.parse(json)
    if (parsed === null || typeof parsed !== 'object') return json
    o = parsed as Record<string, unknown>
  } catch { return json }
  const paint = (code: string | undefined, text: string): string => (color && code !== undefined ? `\u001b[${code}m${text}\u001b[0m` : text)
  const level = typeof o.level === 'string' ? o.level : 'info'
  const parts = [paint('90', clock(o.time)), paint(LEVEL_COLOR[level], level.toUpperCase().padEnd(5))]
  if (typeof o.component === 'string') parts.push(paint('36', `[${o.component}]`))
  parts.push(typeof o.msg === 'string' ? o.msg : '')
  const fields: string[] = []
  for (const [k, v] of Object.entries(o)) {
    if (SKIP.has(k)) continue
    if (k === 'err' && v !== null && typeof v === 'object') {
      const message = (v as { message?: unknown }).message
      if (typeof message === 'string') fields.push(`err=${JSON.stringify(message)}`)
      continue
    }
    const text = shortValue(v)
    if (text !== undefined) fields.push(`${k}=${text}`)
  }
  return parts.join(' ') + (fields.length === 0 ? '' : `  ${paint('90', fields.join(' '))}`)
}

/** A pino destination writing pretty lines to `out` (pino hands it one JSON line per write). */
export function prettyDestination (out: DestinationStream, color: boolean): DestinationStream {
  return {
    write (chunk: string): void {
      for (const line of chunk.split('\n')) if (line !== '') out.write(`${prettyLine(line, color)}\n`)
    },
  }
}
