import t from 'tap'
import type { Test } from 'tap'
import pino from 'pino'
import { loadServeConfig } from '../../src/config/serve-config.js'
import { EmqxClient } from '../../src/emqx/client.js'
import { membershipView } from '../../src/emqx/membership.js'
import type { CheckOutcome } from '../../src/emqx/outcome.js'
import { ClusterWatcher } from '../../src/state/cluster-watcher.js'
import { nextMembership } from '../../src/state/membership.js'
import { Store } from '../../src/state/store.js'
import { initialSnapshot } from '../../src/state/transition.js'
import { startDouble } from '../support/emqx-double.js'

const PEERS = ['emqx2@127.0.0.1', 'emqx3@127.0.0.1']
const settings = { expect: 3, failureThreshold: 3 }

t.test('not_in_cluster only ever adds a drain: whatever the membership reads, the node is up only when EMQX says available', async (t) => {
  // a seeded walk over EMQX outcomes and membership reads (minority, majority, no core, unreadable)
  let seed = 7
  const rand = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n }
  const outcomes: CheckOutcome[] = [{ kind: 'available' }, { kind: 'unavailable', code: 'NODE_EVACUATING' }, { kind: 'not_running' },
    { kind: 'failure', reason: 'timeout', detail: 'no answer' }]
  const reads = [
    { view: membershipView({ running: ['emqx1@h'], self: 'emqx1@h' }) },
    { view: membershipView({ running: ['emqx1@h', 'emqx2@h'], self: 'emqx1@h' }) },
    { view: membershipView({ running: ['emqx1@h', 'emqx2@h', 'emqx3@h'], self: 'emqx1@h', topology: [] }) },
    { error: '/api/v5/cluster: EMQX answered 500' },
    { error: '/api/v5/cluster: no complete answer from EMQX within 1000ms' },
  ]
  const store = new Store(initialSnapshot(0))
  let ups = 0
  for (let i = 1; i <= 3000; i++) {
    if (rand(2) === 0) store.applyCheck({ outcome: outcomes[rand(outcomes.length)] ?? { kind: 'available' }, at: i, durationMs: 1 }, 3)
    else store.setMembership(nextMembership(store.current.membership, reads[rand(reads.length)] ?? { error: 'x' }, i, settings), i)
    const s = store.current
    if (s.state !== 'up') continue
    ups++
    if (s.observed.state !== 'up' || s.overrides.notInCluster !== undefined || s.membership?.drains === true) {
      t.fail(`step ${i}: up while EMQX says ${s.observed.state} and membership drains: ${String(s.membership?.drains)}`)
      return
    }
  }
  t.ok(ups > 100, `the walk reached up often (${ups} steps) and never without EMQX's 200 and a non-draining membership`)
})

async function harness (t: Test, sim: Awaited<ReturnType<typeof startDouble>>): Promise<{ store: Store, client: EmqxClient, watcher: ClusterWatcher }> {
  const { config } = loadServeConfig(['--emqx-url', sim.url, '--emqx-username', 'admin', '--emqx-password', 'public'], {})
  const client = new EmqxClient(config.emqx)
  t.teardown(() => client.close())
  const store = new Store(initialSnapshot(0))
  const watcher = new ClusterWatcher({ client, store, intervalMs: 60_000, log: pino({ level: 'silent' }), membership: settings })
  const check = async (): Promise<void> => { const r = await client.check(); store.applyCheck({ outcome: r.outcome, at: Date.now(), durationMs: r.durationMs }, 3) }
  await check()
  return { store, client, watcher: Object.assign(watcher, { check }) }
}

t.test('against the double: cut off drains with not_in_cluster, 2 of 3 stays up, rejoined is up again', async (t) => {
  const sim = await startDouble(t, { nodeName: 'emqx1@127.0.0.1', clusterPeers: PEERS })
  const { store, watcher } = await harness(t, sim)
  await watcher.tick()
  t.match(store.current, { state: 'up', membership: { verdict: 'in_cluster', view: { running: ['emqx1@127.0.0.1', ...PEERS] } } })
  sim.losePeer()
  await watcher.tick()
  t.match(store.current, { state: 'up', membership: { verdict: 'in_cluster' } }, 'sees 2 of 3: a majority, ready')
  sim.cutOff()
  await watcher.tick()
  t.match(store.current, { state: 'draining', reason: 'not_in_cluster', overrides: { notInCluster: { message: /sees 1 of 3/ } } })
  t.equal(sim.availabilityStatus, 200, 'while EMQX itself still says available')
  sim.rejoin()
  await watcher.tick()
  t.match(store.current, { state: 'up', reason: 'emqx_available' })
  t.equal(store.current.overrides.notInCluster, undefined)
})

t.test('a replicant that lost its cores drains as no_core', async (t) => {
  const sim = await startDouble(t, { nodeName: 'emqx-r@127.0.0.1', clusterPeers: PEERS, role: 'replicant' })
  const { store, watcher } = await harness(t, sim)
  sim.cutOff()
  await watcher.tick()
  t.match(store.current, { state: 'draining', reason: 'not_in_cluster', membership: { verdict: 'no_core', view: { role: 'replicant', cores: [] } } })
})

t.test('a transient fault on the cluster read cannot make a node EMQX drains answer 200', async (t) => {
  const sim = await startDouble(t, { nodeName: 'emqx1@127.0.0.1', clusterPeers: PEERS })
  const { store, watcher } = await harness(t, sim)
  sim.cutOff()
  await watcher.tick()
  t.match(store.current, { state: 'draining', reason: 'not_in_cluster' })
  sim.becomeDonor()
  await (watcher as unknown as { check: () => Promise<void> }).check()
  t.match(store.current, { state: 'draining', observed: { reason: 'emqx_unavailable' } }, 'EMQX 503 too')
  for (const fault of ['5xx', 'garbage', 'auth_reject', 'forbidden', 'not_found', 'hang'] as const) {
    await sim.setFault(fault, { path: 'cluster', slowMs: 10 })
    for (let i = 0; i < 4; i++) {
      await watcher.tick()
      t.not(store.current.state, 'up', `${fault}, read ${i + 1}: never up`)
    }
    t.match(store.current.membership, { verdict: 'unknown', drains: false }, `${fault}: membership lifted after the threshold`)
    t.match(store.current, { state: 'draining', reason: 'emqx_unavailable' }, `${fault}: EMQX's own 503 is what is served`)
  }
  await sim.setFault('none')
  sim.rejoin()
  await watcher.tick()
  t.match(store.current, { state: 'draining', reason: 'emqx_unavailable' }, 'rejoined: still EMQX\'s 503, not 200')
})

t.test('an unreadable view keeps a ready node ready and says why', async (t) => {
  const sim = await startDouble(t, { nodeName: 'emqx1@127.0.0.1', clusterPeers: PEERS })
  const { store, watcher } = await harness(t, sim)
  await sim.setFault('5xx', { path: 'cluster' })
  await watcher.tick()
  t.match(store.current, { state: 'up', membership: { verdict: 'unknown', drains: false, error: /EMQX answered 500/, message: /no evidence is not "alone"/ } })
})
