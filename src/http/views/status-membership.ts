import type { Snapshot } from '../../state/model.js'
import type { MembershipDocument } from './status-types.js'

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString())

/** The membership section of /status: null when --expect-cluster-size is off (`expect` 0). */
export function membershipDocument (s: Snapshot, expect: number): MembershipDocument | null {
  if (expect === 0) return null
  const m = s.membership
  if (m === undefined) {
    return {
      expect,
      verdict: null,
      drains: false,
      message: 'cluster view not read yet (it is read once the EMQX API has answered, every --cluster-interval)',
      running: null,
      running_count: null,
      self: null,
      role: null,
      cores: null,
      stopped: null,
      topology_note: null,
      view_at: null,
      error: null,
      unreadable_reads: 0,
    }
  }
  const v = m.view
  return {
    expect,
    verdict: m.verdict,
    drains: m.drains,
    message: m.message,
    running: v?.running ?? null,
    running_count: v?.running.length ?? null,
    self: v?.self ?? null,
    role: v?.role ?? null,
    cores: v?.cores ?? null,
    stopped: v?.stopped ?? null,
    topology_note: v?.topologyNote ?? null,
    view_at: iso(m.viewAt),
    error: m.error ?? null,
    unreadable_reads: m.failures,
  }
}
