import { writeAtomic } from './apply.js'
import type { SyncNode } from './nodes.js'
import type { Balance } from './config.js'

/**
 * The file nginx/njs/emqx-lb.js reads for every new connection (reload-free mode, `--njs-state`).
 * Version 1; the njs side checks every field and falls back to every node when anything is off.
 */
export interface NjsState {
  readonly version: 1
  /** Unix ms; with staleAfterMs lets njs notice a stopped or stuck nginx-sync */
  readonly writtenAt: number
  readonly staleAfterMs: number
  /** how njs picks among available nodes: consistent hash of the client address, or weighted random */
  readonly balance: 'hash_remote_addr' | 'random'
  /** every node unavailable: njs uses all of them (reported here for people reading the file) */
  readonly failsafe: boolean
  readonly nodes: ReadonlyArray<{ readonly address: string, readonly weight: number, readonly available: boolean }>
}

/** nginx's default server weight */
function weightOf (node: SyncNode): number {
  const w = node.params.find((p) => p.startsWith('weight='))
  return w === undefined ? 1 : Number(w.slice('weight='.length))
}

/**
 * How old the file may get before njs stops trusting it: a few rounds, each at most a poll interval plus a
 * probe timeout (a hanging sidecar delays the round, not the next one).
 */
export function staleAfterMs (pollIntervalMs: number, probeTimeoutMs: number): number {
  return 3 * (pollIntervalMs + probeTimeoutMs)
}

/** Nodes + availability -> the state njs reads. Pure. least_conn and round_robin need shared counters njs 0.7 lacks. */
export function renderNjsState (nodes: readonly SyncNode[], available: ReadonlyMap<string, boolean>,
  o: { balance: Balance, staleAfterMs: number }, now: number): NjsState {
  const listed = nodes.map((n) => ({ address: n.address, weight: weightOf(n), available: available.get(n.address) === true }))
  return {
    version: 1,
    writtenAt: now,
    staleAfterMs: o.staleAfterMs,
    balance: o.balance === 'hash_remote_addr' ? 'hash_remote_addr' : 'random',
    failsafe: listed.length > 0 && listed.every((n) => !n.available),
    nodes: listed,
  }
}

/** Atomically (see writeAtomic), readable by nginx's worker user. */
export async function writeNjsState (path: string, state: NjsState): Promise<void> {
  await writeAtomic(path, `${JSON.stringify(state)}\n`)
}
