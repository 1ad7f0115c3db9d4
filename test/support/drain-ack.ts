import { DrainAcknowledgement, type DrainProgress } from '../../src/ack/drain.js'
import { CheckerTracker, type TrackerOptions } from '../../src/checkers/tracker.js'
import { moveTo } from '../../src/state/move.js'
import { initialSnapshot } from '../../src/state/transition.js'
import { TestStore } from './test-store.js'

/** A tracker wired to a DrainAcknowledgement as main.ts wires them, with a store a test moves by hand. */
export function drainAckHarness (over: Partial<TrackerOptions> = {}, expect = 0) {
  const acks: DrainProgress[] = []
  const store = new TestStore(initialSnapshot(0))
  const tracker: CheckerTracker = new CheckerTracker({
    maxCheckers: 10, ttlMs: 60_000, checkerFall: 3, budgetMs: 10_000, onTold: (at) => { ack.checkerTold(at) }, ...over,
  })
  const ack = new DrainAcknowledgement({ store, tracker, expect, onAcknowledged: (a) => acks.push(a) })
  const up = (at: number): void => { store.update((s) => moveTo(s, 'up', 'emqx_available', 'test', at)) }
  const drain = (at: number): void => { store.update((s) => moveTo(s, 'draining', 'emqx_unavailable', 'test', at)) }
  up(0)
  return { store, tracker, ack, acks, up, drain }
}
