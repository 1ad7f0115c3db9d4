import { createHook } from 'node:async_hooks'

/**
 * Keeps one of node's `process.nextTick` queue entries alive for the life of the process, so that the
 * hidden class (V8 map) they all share is never collected.
 *
 * Why: node builds each queue entry with an object literal whose first keys are computed (the async id
 * symbols, lib/internal/process/task_queues.js). On Node 20 (V8 11), a full GC that finds no entry alive
 * clears that literal's map, the next entry gets a new one, and after a few such GCs the literal's inline
 * cache gives up: every nextTick then defines its properties through V8's runtime. node:http calls
 * nextTick several times per request, so from then on every probe costs more CPU, in any handler of the
 * process (bench/README.md, "Node 20's nextTick map", has the measurements). Whether a process ends up
 * there depends on when its start-up GCs happen; with one entry kept, the map and its transitions stay
 * reachable and it never does. Node 22 and 24 were not seen to need it; there it only keeps one object.
 *
 * The async hook is enabled for one nextTick, at import, and disabled before anything else runs.
 */
const kept = tickEntry()

/**
 * The queue entry of one new nextTick (of a no-op), caught by an async hook enabled for that call only;
 * the test uses it too, to compare later entries' maps with the kept one's.
 */
export function tickEntry (): object | undefined {
  let entry: object | undefined
  const hook = createHook({
    init (_id, type, _trigger, resource) {
      if (type === 'TickObject' && entry === undefined) entry = resource as object
    },
  })
  hook.enable()
  process.nextTick(() => {})
  hook.disable()
  return entry
}

/** The entry kept alive (for the test that checks later entries still share its map). */
export function keptTick (): object | undefined {
  return kept
}
