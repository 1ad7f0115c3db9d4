import { isIP } from 'node:net'

export interface Listener {
  /** the port's flag, e.g. `--agent-port` */
  readonly flag: string
  readonly host: string
  /** 0 = a free port the OS picks (never clashes) */
  readonly port: number
}

/**
 * Whether two listen addresses can collide on one port. `::` is dual-stack in Node (it takes IPv4 too),
 * `0.0.0.0` takes every IPv4 address. Host names are compared as written: resolving them here would make
 * the check depend on DNS, and start-up still names the flag if they collide after all.
 */
export function addressesOverlap (a: string, b: string): boolean {
  if (a === b || a === '::' || b === '::') return true
  const v4 = (h: string): boolean => isIP(h) !== 6
  return (a === '0.0.0.0' && v4(b)) || (b === '0.0.0.0' && v4(a))
}

/** One problem per pair of listeners that would take the same port: start-up would fail on the second. */
export function portClashes (listeners: readonly Listener[]): string[] {
  const problems: string[] = []
  listeners.forEach((a, i) => {
    for (const b of listeners.slice(i + 1)) {
      if (a.port !== 0 && a.port === b.port && addressesOverlap(a.host, b.host)) {
        const where = a.host === b.host ? `${a.host}:${a.port}` : `port ${a.port} (${a.host} and ${b.host} overlap)`
        problems.push(`${b.flag} and ${a.flag} both listen on ${where}`)
      }
    }
  })
  return problems
}
