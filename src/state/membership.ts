import type { MembershipRead } from '../emqx/membership-reader.js'
import type { MembershipView } from '../emqx/membership.js'

/**
 * Whether this node is in its cluster, from its own view (docs/emqx-compatibility.md, "Cluster membership"):
 * in_cluster: it sees a majority of --expect-cluster-size running (more than N/2);
 * minority:   it sees at most N/2: a node that never joined, or the small side of a netsplit (drains);
 * no_core:    a replicant that sees no running core (drains);
 * unknown:    the view could not be read: no evidence is not "alone", so it never drains on its own.
 */
export type MembershipVerdict = 'in_cluster' | 'minority' | 'no_core' | 'unknown'
export const MEMBERSHIP_VERDICTS: readonly MembershipVerdict[] = ['in_cluster', 'minority', 'no_core', 'unknown']

export interface MembershipState {
  readonly verdict: MembershipVerdict
  /** whether the node drains for it now (reason not_in_cluster) */
  readonly drains: boolean
  readonly message: string
  /** --expect-cluster-size */
  readonly expect: number
  /** the last view read, and when */
  readonly view?: MembershipView
  readonly viewAt?: number
  /** why the last read failed; unreadable reads in a row */
  readonly error?: string
  readonly failures: number
}

export interface MembershipSettings {
  /** --expect-cluster-size (> 0) */
  readonly expect: number
  /** unreadable reads in a row that end a drain decided on an earlier view (--failure-threshold) */
  readonly failureThreshold: number
}

/** What one readable view says. Pure. */
export function judgeView (view: MembershipView, expect: number): { verdict: MembershipVerdict, message: string } {
  const n = view.running.length
  const seen = `this node sees ${n} of ${expect} expected running node${expect === 1 ? '' : 's'}`
  if (view.cores !== undefined && view.cores.length === 0) {
    return { verdict: 'no_core', message: `this replicant sees no running core node (${seen}): it cannot serve sessions; draining` }
  }
  if (n * 2 <= expect) {
    return {
      verdict: 'minority',
      message: `${seen}, not a majority (more than ${expect}/2): a node that never joined, or the small side of a netsplit; draining`,
    }
  }
  const more = n > expect ? `, more than --expect-cluster-size ${expect}` : ''
  return { verdict: 'in_cluster', message: `${seen}: a majority${more}` }
}

/**
 * The next membership state after one read. Pure. A readable view decides at once, both ways. An unreadable
 * one never starts a drain; a drain decided on an earlier view is kept through fewer than `failureThreshold`
 * unreadable reads in a row (a blip does not send clients back to a node cut off a moment ago), then lifted.
 * It only ever adds a drain: the served state is EMQX's own verdict combined with it (overrides.ts).
 */
export function nextMembership (
  prev: MembershipState | undefined,
  read: MembershipRead,
  at: number,
  s: MembershipSettings
): MembershipState {
  if ('view' in read) {
    const { verdict, message } = judgeView(read.view, s.expect)
    const drains = verdict === 'minority' || verdict === 'no_core'
    return { verdict, drains, message, expect: s.expect, view: read.view, viewAt: at, failures: 0 }
  }
  const failures = (prev?.failures ?? 0) + 1
  const kept = { ...(prev?.view !== undefined ? { view: prev.view } : {}), ...(prev?.viewAt !== undefined ? { viewAt: prev.viewAt } : {}) }
  const base = { expect: s.expect, error: read.error, failures, ...kept }
  if (prev?.drains === true && failures < s.failureThreshold) {
    const message = `cluster view unreadable (${read.error}); still draining on the last view ` +
      `(${prev.view?.running.length ?? '?'} of ${s.expect} running) until ${s.failureThreshold} unreadable reads in a row`
    return { ...base, verdict: prev.verdict, drains: true, message }
  }
  const message = `cluster view unreadable (${read.error}): no evidence is not "alone", so membership does not drain this node`
  return { ...base, verdict: 'unknown', drains: false, message }
}
