import type { Balance } from './config.js'
import type { SyncNode } from './nodes.js'

export interface RenderOptions {
  readonly upstreamName: string
  readonly balance: Balance
  readonly zoneSize: string
}

export interface Rendered {
  /** the file's full text; equal inputs give byte-equal text, so "changed" is a string comparison */
  readonly text: string
  /** addresses written with `down` */
  readonly down: readonly string[]
  /** true when every node was unavailable and all were kept in (see below) */
  readonly failsafe: boolean
}

const BALANCE_LINES: Record<Balance, string | undefined> = {
  least_conn: 'least_conn;',
  round_robin: undefined,
  // `consistent` (ketama) moves few clients when a server is marked down or comes back
  hash_remote_addr: 'hash $remote_addr consistent;',
  random: 'random two least_conn;',
}

/**
 * Nodes + availability -> the upstream block. Unavailable nodes are marked `down`, never removed:
 * nginx keeps a valid upstream and the node's place in a consistent hash. If every node is
 * unavailable, all stay in and `failsafe` is set: an upstream of only `down` servers refuses every
 * client, which is worse than sending them to draining nodes (EMQX refuses or redirects them itself).
 * Pure; no timestamps or fail-safe remarks in the text, so only a change of what nginx does is a change
 * (the fail-safe is reported by log and metrics instead).
 */
/** The mark of a file nginx-sync wrote (its first line), by which `doctor` knows an upstream is kept in line with the sidecars. */
export const NGINX_SYNC_MARK = 'Written by emqx-lb-sidecar nginx-sync'

export function renderUpstream (nodes: readonly SyncNode[], available: ReadonlyMap<string, boolean>, o: RenderOptions): Rendered {
  const unavailable = nodes.filter((n) => available.get(n.address) !== true).map((n) => n.address)
  const failsafe = nodes.length > 0 && unavailable.length === nodes.length
  const down = failsafe ? [] : unavailable
  const lines = [
    `# ${NGINX_SYNC_MARK}; do not edit (the next change overwrites it).`,
    '# A server marked down is draining (rebalance donor, evacuation) or its sidecar did not answer 200.',
  ]
  lines.push(`upstream ${o.upstreamName} {`, `    zone ${o.upstreamName} ${o.zoneSize};`)
  const balance = BALANCE_LINES[o.balance]
  if (balance !== undefined) lines.push(`    ${balance}`)
  for (const n of nodes) {
    const parts = ['server', n.address, ...n.params]
    if (down.includes(n.address)) parts.push('down')
    lines.push(`    ${parts.join(' ')};`)
  }
  lines.push('}', '')
  return { text: lines.join('\n'), down, failsafe }
}

/** Addresses marked `down` in a rendered (or found) file: what nginx currently excludes. */
export function downInText (text: string | undefined): string[] {
  if (text === undefined) return []
  return [...text.matchAll(/^\s*server\s+(\S+)[^;\n]*\sdown;/gm)].map((m) => m[1] as string)
}
