import { readFileSync } from 'node:fs'
import type { Logger } from 'pino'
import { LogCodes } from '../../errors.js'

const SOMAXCONN = '/proc/sys/net/core/somaxconn'

/**
 * The kernel's cap on any listen() backlog (Linux `net.core.somaxconn`), or undefined where it cannot
 * be read (other systems, a restricted /proc): the kernel then applies its cap silently.
 */
export function readSomaxconn (path = SOMAXCONN): number | undefined {
  try {
    const n = Number(readFileSync(path, 'utf8').trim())
    return Number.isInteger(n) && n > 0 ? n : undefined
  } catch { return undefined }
}

/** The backlog the kernel will actually grant: the setting, capped by somaxconn when known. */
export function effectiveBacklog (requested: number, somaxconn: number | undefined): number {
  return somaxconn === undefined ? requested : Math.min(requested, somaxconn)
}

/**
 * The backlog to pass to listen() (--listen-backlog). Checkers that all connect at once (a fleet of
 * load balancers after a restart, 1,000 new connections per second) overflow node's default of 511:
 * the kernel drops the SYNs it has no room for and the clients retransmit after 1 s, then 3 s.
 * The kernel caps the value at net.core.somaxconn without a word, so a cap is logged here, naming the sysctl.
 */
export function listenBacklog (requested: number, log: Logger, somaxconn = readSomaxconn()): number {
  const backlog = effectiveBacklog(requested, somaxconn)
  if (backlog < requested) {
    log.warn({ code: LogCodes.LISTEN_BACKLOG_CAPPED, requested, somaxconn },
      `--listen-backlog ${requested} is capped by the kernel to net.core.somaxconn = ${backlog}; ` +
      `raise it (sysctl -w net.core.somaxconn=${requested}) for the full accept queue`)
  }
  return backlog
}
