/**
 * What the double received is kept for tests, bounded: `simulate` runs for days and anyone may send it
 * anything. Lists keep the last MAX_KEPT entries; maps count at most MAX_KEPT keys.
 */
export const MAX_KEPT = 1000

/** Appends, dropping the oldest past MAX_KEPT. */
export function keep<T> (list: T[], item: T): void {
  list.push(item)
  if (list.length > MAX_KEPT) list.shift()
}

/** Counts one more for `key`; keys past the first MAX_KEPT are not counted. */
export function countKey (counts: Map<string, number>, key: string): void {
  if (counts.has(key) || counts.size < MAX_KEPT) counts.set(key, (counts.get(key) ?? 0) + 1)
}
