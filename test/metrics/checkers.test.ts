import t from 'tap'
import { Registry } from 'prom-client'
import { registerCheckerMetrics } from '../../src/metrics/checkers.js'
import { moveTo } from '../../src/state/move.js'
import { drainAckHarness } from '../support/drain-ack.js'

t.test('drain_acknowledged_after_seconds has no sample until a drain is acknowledged, then the delay, then none again', async (t) => {
  const { tracker, ack, store } = drainAckHarness()
  const registry = new Registry()
  registerCheckerMetrics(registry, tracker, ack, false)
  const sample = async (): Promise<string | undefined> => {
    await new Promise(setImmediate) // a scrape's tracker reading is kept until the next turn of the loop
    const text = await registry.metrics()
    return text.split('\n').find((l) => l.startsWith('emqx_lb_sidecar_drain_acknowledged_after_seconds '))
  }
  const now = Date.now()
  tracker.observe({ source: 'lb', kind: 'agent', available: true, answer: 'up', at: now - 3000 })
  t.equal(await sample(), undefined, 'not draining: no sample (a 0 would read as "acknowledged at once")')
  t.match(await registry.metrics(), /# TYPE emqx_lb_sidecar_drain_acknowledged_after_seconds gauge/, 'the metric itself is still described')
  store.update((s) => moveTo(s, 'draining', 'emqx_unavailable', 'test', now - 2000))
  t.equal(await sample(), undefined, 'draining, nobody told yet: no sample')
  tracker.observe({ source: 'lb', kind: 'agent', available: false, answer: 'drain', at: now - 500 })
  t.equal(await sample(), 'emqx_lb_sidecar_drain_acknowledged_after_seconds 1.5', 'acknowledged 1.5 s after the drain began')
  store.update((s) => moveTo(s, 'up', 'emqx_available', 'test', now))
  t.equal(await sample(), undefined, 'drain over: no sample again')
})
