import type { NodeState } from '../state/model.js'
import type { Store } from '../state/store.js'
import type { CheckerTracker } from './tracker.js'

/** A drain, for acknowledgement purposes: the node stopped being offered to load balancers on purpose or because it failed while up. */
export function drainBegins (prev: NodeState, next: NodeState): boolean {
  if (next === 'up' || prev === next) return false
  if (next === 'draining' || next === 'stopping') return prev !== 'draining' && prev !== 'stopping'
  return prev === 'up'
}

/** Tells the tracker when a drain starts and ends, from the store's state changes. */
export function followDrains (store: Store, tracker: CheckerTracker): void {
  store.on('update', (next, prev) => {
    if (next.state === prev.state) return
    if (next.state === 'up') tracker.drainEnded()
    else if (drainBegins(prev.state, next.state)) tracker.drainStarted(next.since)
  })
}
