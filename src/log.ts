import pino, { type DestinationStream, type Logger } from 'pino'
import type { LogFormat, LogLevel } from './config/serve-types.js'

/**
 * pino logs: JSON lines for machines, or (--log-format pretty, and auto on a terminal) one short readable line
 * each (./log-pretty.ts, loaded only then). Secrets are Secret objects (printed as [REDACTED]); redaction
 * below is the second line of defence for anything that carries headers or passwords by accident.
 */
export const REDACT_PATHS = [
  'password', '*.password', 'emqxPassword', '*.emqxPassword', 'token', '*.token', 'adminToken', '*.adminToken',
  'authorization', '*.authorization', 'headers.authorization', '*.headers.authorization', 'req.headers.authorization',
]

/** auto: pretty when stdout is a terminal (a person reads it), json otherwise (a collector does). */
export function resolveLogFormat (format: LogFormat, isTTY = process.stdout.isTTY === true): 'json' | 'pretty' {
  return format === 'auto' ? (isTTY ? 'pretty' : 'json') : format
}

export async function createLogger (level: LogLevel, format: LogFormat = 'json', destination?: DestinationStream): Promise<Logger> {
  const out = destination ?? pino.destination({ dest: 1, sync: true })
  const pretty = resolveLogFormat(format) === 'pretty'
  // the pretty printer is imported only when used: a sidecar logging JSON never loads it
  const dest = pretty ? (await import('./log-pretty.js')).prettyDestination(out, colors()) : out
  return pino({
    name: 'emqx-lb-sidecar',
    level,
    redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  }, dest)
}

/** Colours on a terminal unless NO_COLOR is set (no-color.org). */
function colors (): boolean {
  return process.stdout.isTTY === true && (process.env.NO_COLOR ?? '') === ''
}
