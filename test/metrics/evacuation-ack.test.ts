import t from 'tap'
import { createMetrics } from '../../src/metrics/registry.js'
import type { EvacuationProgress } from '../../src/state/evacuation-types.js'
import { setOverride } from '../../src/state/overrides.js'
import { TestStore } from '../support/test-store.js'
import { initialSnapshot } from '../../src/state/transition.js'

async function samples (m: ReturnType<typeof createMetrics>): Promise<Map<string, number>> {
  const out = new Map<string, number>()
  for (const line of (await m.registry.metrics()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const i = line.lastIndexOf(' ')
    out.set(line.slice(0, i), Number(line.slice(i + 1)))
  }
  return out
}

t.test('the acknowledged wait: how it ended (counted once), the time to eviction, unacknowledged rebalances', async (t) => {
  const store = new TestStore(initialSnapshot(0))
  const rebalanceAck = { unacknowledged: 0 }
  const m = createMetrics(store, { rebalanceAck })
  let s = await samples(m)
  t.equal(s.get('emqx_lb_sidecar_evacuation_ack_waits_total{ended_by="all_told"}'), 0, 'initialised to 0')
  t.equal(s.get('emqx_lb_sidecar_evacuation_ack_waits_total{ended_by="no_checkers"}'), 0)
  t.equal(s.get('emqx_lb_sidecar_evacuation_eviction_start_seconds_count'), 0, 'nothing observed until EMQX was asked')
  const p: EvacuationProgress = { phase: 'awaiting_ack', by: 'x', startedAt: 1000, deadlineAt: 100_000, ack: { stage: 'checkers', expect: 0, known: 1, told: 0, awaited: ['agent a'], maxAt: 61_000 } }
  const set = (e: EvacuationProgress): void => { store.update((c) => setOverride(c, 'evacuation', e, 0)) }
  set(p)
  set({ ...p, ack: { ...p.ack!, stage: 'ended', told: 1, awaited: [], endedBy: 'all_told', endedAt: 2600 } })
  set({ ...p, phase: 'running', ack: { ...p.ack!, stage: 'ended', told: 1, awaited: [], endedBy: 'all_told', endedAt: 2600 }, waitHealthCheckS: 0, evictionStartsAt: 2650 })
  rebalanceAck.unacknowledged = 2
  s = await samples(m)
  t.equal(s.get('emqx_lb_sidecar_evacuation_ack_waits_total{ended_by="all_told"}'), 1, 'one evacuation, counted once')
  t.equal(s.get('emqx_lb_sidecar_evacuation_eviction_start_seconds_count'), 1)
  t.equal(s.get('emqx_lb_sidecar_evacuation_eviction_start_seconds_sum'), 1.65)
  t.equal(s.get('emqx_lb_sidecar_evacuation_eviction_start_seconds_bucket{le="2"}'), 1, 'within 2 s of the request')
  t.equal(s.get('emqx_lb_sidecar_evacuation_eviction_start_seconds_bucket{le="1"}'), 0)
  t.equal(s.get('emqx_lb_sidecar_rebalance_unacknowledged_evictions_total'), 2)
})
