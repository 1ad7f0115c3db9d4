import type { Snapshot } from '../../state/model.js'

/** One reading of a running evacuation or rebalance: connections and sessions left on the node. */
export interface ProgressPoint {
  readonly t: number
  readonly conn: number | null
  readonly sess: number | null
}

const MAX_POINTS = 180
const MIN_GAP_MS = 900

/**
 * The connections and sessions of the node's running evacuation or rebalance over its last ~3 minutes, kept
 * by the server from the store's updates, so that a page opened in the middle of one draws its curve at once
 * (the sparklines of the live page). A different process (another key) starts a new history.
 */
export class ProgressHistory {
  #key = ''
  #points: ProgressPoint[] = []

  get key (): string { return this.#key }
  get points (): readonly ProgressPoint[] { return this.#points }

  /** Records the snapshot's counts if a process runs (at most one point per ~second); forgets when none does. */
  record (s: Snapshot, now: number): void {
    const e = s.overrides.evacuation
    const r = s.rebalance?.status === 'enabled' ? s.rebalance : undefined
    if (e === undefined && r === undefined) { this.#key = ''; this.#points = []; return }
    const key = e !== undefined ? `evacuation ${e.startedAt}` : `${r?.process ?? 'rebalance'} ${r?.coordinator_node ?? ''}`
    if (key !== this.#key) { this.#key = key; this.#points = [] }
    const last = this.#points[this.#points.length - 1]
    if (last !== undefined && now - last.t < MIN_GAP_MS) return
    const st = r?.stats
    this.#points.push({
      t: now,
      conn: st?.current_connected ?? e?.connections ?? null,
      sess: st?.current_sessions ?? e?.sessions ?? null,
    })
    if (this.#points.length > MAX_POINTS) this.#points.shift()
  }

  /** Per second over the last ~10 s of points (positive: leaving the node); null without two readings. */
  rate (field: 'conn' | 'sess'): number | null {
    const p = this.#points
    const last = p[p.length - 1]
    if (last === undefined) return null
    for (let i = p.length - 2; i >= 0; i--) {
      const q = p[i]
      if (q !== undefined && (last.t - q.t >= 10_000 || i === 0)) {
        const a = q[field]
        const b = last[field]
        const dt = (last.t - q.t) / 1000
        return dt > 0 && a !== null && b !== null ? (a - b) / dt : null
      }
    }
    return null
  }
}
