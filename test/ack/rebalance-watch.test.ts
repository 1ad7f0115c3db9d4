import t from 'tap'
import pino from 'pino'
import { Writable } from 'node:stream'
import type { LocalRebalance } from '../../src/emqx/rebalance.js'
import type { AckChecker } from '../../src/checkers/rule.js'
import { donorEvictionBegan, RebalanceAckWatch } from '../../src/ack/rebalance-watch.js'
import { TestStore } from '../support/test-store.js'
import { initialSnapshot } from '../../src/state/transition.js'

/** a checker that keeps probing: seen "now" at every look */
const SEEN_NOW = Number.MAX_SAFE_INTEGER

const rb = (state: string, process = 'rebalance'): LocalRebalance => ({ status: 'enabled', process, state, coordinator_node: 'emqx@c' })

t.test('donorEvictionBegan: wait_health_check -> an eviction state of a rebalance, also when a state was skipped between reads', async (t) => {
  t.equal(donorEvictionBegan(rb('wait_health_check'), rb('evicting_conns')), true)
  t.equal(donorEvictionBegan(rb('wait_health_check'), rb('wait_takeover')), true)
  t.equal(donorEvictionBegan(rb('wait_health_check'), rb('wait_health_check')), false)
  t.equal(donorEvictionBegan(rb('evicting_conns'), rb('wait_takeover')), false)
  t.equal(donorEvictionBegan(rb('waiting_health_check', 'evacuation'), rb('evicting_conns', 'evacuation')), false, 'evacuations are the sidecar\'s own wait')
  t.equal(donorEvictionBegan(undefined, rb('evicting_conns')), false)
})

function setup (checkers: AckChecker[], expect = 0) {
  const lines: Array<Record<string, unknown>> = []
  const sink = new Writable({ write (chunk: Buffer, _e, cb) { lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>); cb() } })
  const store = new TestStore(initialSnapshot(0))
  const list = { checkers }
  const watch = new RebalanceAckWatch({ store, checkers: { checkers: () => list.checkers }, expectCheckers: expect, log: pino({ level: 'info' }, sink) })
  const move = (r: LocalRebalance | undefined): void => { store.update((s) => ({ ...s, rebalance: r })) }
  return { watch, lines, move, list }
}

t.test('a donor evicted before every checker was told: warned once per rebalance, counted every time', async (t) => {
  const { watch, lines, move } = setup([{ kind: 'agent', source: '10.0.0.9', userAgent: '', told: true, lastSeen: SEEN_NOW }, { kind: 'http', source: '10.0.0.5', userAgent: '', told: false, lastSeen: SEEN_NOW }])
  move(rb('wait_health_check'))
  move(rb('evicting_conns'))
  t.equal(watch.unacknowledged, 1)
  t.match(lines, [{ level: 40, event: 'rebalance_unacknowledged_eviction', awaited: ['http 10.0.0.5'], coordinator: 'emqx@c' }])
  move(rb('wait_health_check'))
  move(rb('evicting_conns'))
  t.equal(watch.unacknowledged, 2, 'counted again')
  t.equal(lines.length, 1, 'but warned once for this rebalance')
  move({ status: 'disabled' })
  move(rb('wait_health_check'))
  move(rb('evicting_conns'))
  t.equal(lines.length, 2, 'a new rebalance warns again')
})

t.test('every checker told in time: nothing to say', async (t) => {
  const { watch, lines, move } = setup([{ kind: 'agent', source: '10.0.0.9', userAgent: '', told: true, lastSeen: SEEN_NOW }])
  move(rb('wait_health_check'))
  move(rb('evicting_conns'))
  t.equal(watch.unacknowledged, 0)
  t.same(lines, [])
})

t.test('fewer checkers than --expect-checkers counts as not acknowledged', async (t) => {
  const { watch, lines, move } = setup([{ kind: 'agent', source: '10.0.0.9', userAgent: '', told: true, lastSeen: SEEN_NOW }], 2)
  move(rb('wait_health_check'))
  move(rb('evicting_conns'))
  t.equal(watch.unacknowledged, 1)
  t.match(lines, [{ fewerThanExpected: true }])
})
