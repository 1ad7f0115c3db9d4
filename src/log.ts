import pino, { type DestinationStream, type Logger } from 'pino'
import type { LogLevel } from './config/serve-types.js'

/**
 * pino JSON logs. Secrets are Secret objects (printed as [REDACTED]); redaction below is the second
 * line of defence for anything that carries headers or passwords by accident.
 */
export const REDACT_PATHS = [
  'password', '*.password', 'emqxPassword', '*.emqxPassword', 'token', '*.token', 'adminToken', '*.adminToken',
  'authorization', '*.authorization', 'headers.authorization', '*.headers.authorization', 'req.headers.authorization',
]

export function createLogger (level: LogLevel, destination?: DestinationStream): Logger {
  return pino({
    name: 'emqx-lb-sidecar',
    level,
    redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  }, destination ?? pino.destination({ dest: 1, sync: true }))
}
