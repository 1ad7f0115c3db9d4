import type { NodeState, Reason, Snapshot } from './model.js'

/** Sets state/reason/message; `since` only moves when the state itself changes. */
export function moveTo (prev: Snapshot, state: NodeState, reason: Reason, message: string, now: number): Snapshot {
  if (prev.state === state && prev.reason === reason && prev.message === message) return prev
  return { ...prev, state, reason, message, since: prev.state === state ? prev.since : now }
}
