import type { Overrides, Snapshot, Verdict } from './model.js'
import type { EvacuationProgress } from './evacuation-types.js'
import { moveTo } from './move.js'

/**
 * The served verdict: EMQX's own verdict combined with the overrides. Pure.
 * `down` (and `stopping`) win over every override: EMQX being broken is the more urgent fact, and
 * both answer 503 anyway. Otherwise any override drains (503, agent `maint` or `drain`) whatever EMQX says,
 * like clustercheck's disable file or Envoy's /healthcheck/fail. An evacuation in any phase,
 * failed included, keeps draining: whoever asked for it is about to take the node away.
 */
export function effectiveVerdict (observed: Verdict, o: Overrides): Verdict {
  if (observed.state === 'down' || observed.state === 'stopping') return observed
  if (o.evacuation !== undefined) return { state: 'draining', reason: 'evacuation', message: evacuationMessage(o.evacuation) }
  if (o.manualDrain !== undefined) {
    const message = `drained by an operator (POST /admin/drain from ${o.manualDrain.by}); EMQX alone would say ${observed.state}`
    return { state: 'draining', reason: 'manual_drain', message }
  }
  if (o.drainFile !== undefined) {
    return { state: 'draining', reason: 'drain_file', message: `drained by the drain file; EMQX alone would say ${observed.state}` }
  }
  if (o.notInCluster !== undefined) {
    return { state: 'draining', reason: 'not_in_cluster', message: `${o.notInCluster.message}; EMQX alone would say ${observed.state}` }
  }
  return observed
}

export function evacuationMessage (e: EvacuationProgress): string {
  switch (e.phase) {
    case 'starting': return `evacuation of this node requested by ${e.by}: draining while EMQX is asked to start it`
    case 'awaiting_ack':
      return `evacuation of this node requested by ${e.by}: draining until every load balancer has been told ` +
        `(${e.ack?.told ?? 0}/${e.ack?.known ?? 0} told), then EMQX evicts`
    case 'running': return `EMQX is evacuating this node (${e.emqxState ?? 'state unknown'}${counts(e)})`
    case 'done': {
      const note = e.sessionsNote !== undefined ? `; ${e.sessionsNote}` : ''
      return `evacuation finished (${e.emqxState ?? 'nothing left'}${counts(e)}${note}): the node can be stopped`
    }
    case 'deadline': return `evacuation deadline passed (${e.emqxState ?? 'state unknown'}${counts(e)}); still draining`
    case 'failed': return `evacuation failed: ${e.error ?? 'unknown error'}; still draining because the node is being taken away`
  }
}

function counts (e: EvacuationProgress): string {
  if (e.connections === undefined && e.sessions === undefined) return ''
  return `, ${e.connections ?? '?'} connections and ${e.sessions ?? '?'} sessions left`
}

/** Recomputes the served state from `observed` and `overrides`; `stopping` is final. */
export function settle (s: Snapshot, now: number): Snapshot {
  if (s.state === 'stopping') return s
  const v = effectiveVerdict(s.observed, s.overrides)
  return moveTo(s, v.state, v.reason, v.message, now)
}

type MutableOverrides = { -readonly [K in keyof Overrides]: Overrides[K] }

/** Sets (or, with undefined, clears) one override and settles the served state. Pure. */
export function setOverride<K extends keyof Overrides> (s: Snapshot, key: K, value: Overrides[K] | undefined, now: number): Snapshot {
  if (s.overrides[key] === value) return s
  const overrides: MutableOverrides = { ...s.overrides }
  if (value === undefined) delete overrides[key]
  else overrides[key] = value
  return settle({ ...s, overrides }, now)
}
