import t from 'tap'
import pino from 'pino'
import { loadServeConfig } from '../../src/config/serve-config.js'
import { EmqxClient } from '../../src/emqx/client.js'
import { ClusterWatcher } from '../../src/state/cluster-watcher.js'
import { Monitor } from '../../src/state/monitor.js'
import { Store } from '../../src/state/store.js'
import { initialSnapshot } from '../../src/state/transition.js'
import { startDouble } from '../support/emqx-double.js'
import { nextEvent } from '../support/wait.js'

t.test('e5.3, a node that does not coordinate the purge: its 500s drain it at once once the cluster view lists the purge', async (t) => {
  const sim = await startDouble(t, { profile: 'v5.3', nodeName: 'emqx@n2' })
  const { config } = loadServeConfig(['--emqx-url', sim.url, '--emqx-username', 'admin', '--poll-interval', '50ms', '--cluster-interval', '100ms',
    '--failure-threshold', '1000'], { SIDECAR_EMQX_PASSWORD: 'public' })
  const log = pino({ level: 'silent' })
  const client = new EmqxClient(config.emqx)
  const store = new Store(initialSnapshot(Date.now()))
  const monitor = new Monitor({ client, store, log, pollIntervalMs: config.pollIntervalMs, failureThreshold: config.failureThreshold })
  const cluster = new ClusterWatcher({ client, store, intervalMs: config.cluster.intervalMs, log })
  t.teardown(async () => { await cluster.stop(); await monitor.stop(); await client.close() })
  monitor.start()
  cluster.start()
  await nextEvent(store, 'update', (s: { state: string }) => s.state === 'up', 3000, 'up')
  const at = performance.now()
  sim.startPurge('emqx@n1')
  t.equal(sim.availabilityStatus, 500, 'the double answers as e5.3 does')
  await nextEvent(store, 'update', (s: { state: string }) => s.state === 'draining', 2000, 'draining during the purge')
  t.match(store.current, { reason: 'emqx_purging', message: /coordinator emqx@n1/ })
  t.ok(performance.now() - at < 1000, 'within a cluster read and a poll, far before --failure-threshold (1000 polls)')
  sim.stopProcess()
  await nextEvent(store, 'update', (s: { state: string }) => s.state === 'up', 2000, 'up once the purge is over')
})
