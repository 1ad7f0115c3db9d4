import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import pino from 'pino'
import t, { type Test } from 'tap'
import { loadServeConfig } from '../../src/config/serve-config.js'
import { EmqxClient } from '../../src/emqx/client.js'
import { ClusterWatcher } from '../../src/state/cluster-watcher.js'
import { DrainFileWatcher } from '../../src/state/drain-file.js'
import { Evacuator } from '../../src/state/evacuator.js'
import type { Snapshot } from '../../src/state/model.js'
import { Monitor } from '../../src/state/monitor.js'
import { Store } from '../../src/state/store.js'
import { initialSnapshot } from '../../src/state/transition.js'
import { startDouble } from '../support/emqx-double.js'
import { tempDir } from '../support/tmpdir.js'
import { nextEvent, waitFor } from '../support/wait.js'

/**
 * A store listener with a bug (it throws) must neither end the process through an unhandled rejection
 * nor stop a loop: the store reports it to its handler (main.ts logs it as store_listener_failed) and
 * the writer, which never sees the throw, goes on.
 */
function harness (t: Test, throwsOn: (next: Snapshot, prev: Snapshot) => boolean) {
  const unhandled: unknown[] = []
  const onUnhandled = (reason: unknown): void => { unhandled.push(reason) }
  process.on('unhandledRejection', onUnhandled)
  t.teardown(() => { process.off('unhandledRejection', onUnhandled) })
  const errors: Array<{ err: unknown, event: string }> = []
  const store = new Store(initialSnapshot(Date.now()), (err, event) => { errors.push({ err, event }) })
  let thrown = 0
  store.on('update', (next, prev) => { if (throwsOn(next, prev)) { thrown++; throw new Error('listener bug') } })
  const internal: Array<Record<string, unknown>> = []
  const sink = new Writable({
    write (chunk: Buffer, _e, cb) { const l = JSON.parse(chunk.toString()) as Record<string, unknown>; if (l.code === 'internal_error') internal.push(l); cb() },
  })
  return { store, unhandled, errors, internal, thrown: () => thrown, log: pino({ level: 'error' }, sink) }
}

async function credentialedClient (t: Test, extra: string[] = []): Promise<{ client: EmqxClient, pollIntervalMs: number, clusterIntervalMs: number }> {
  const sim = await startDouble(t, { profile: 'v5' })
  const { config } = loadServeConfig(['--emqx-url', sim.url, '--emqx-username', 'admin', '--poll-interval', '50ms', '--cluster-interval', '50ms', ...extra], { SIDECAR_EMQX_PASSWORD: 'public' })
  const client = new EmqxClient(config.emqx)
  t.teardown(async () => { await client.close() })
  return { client, pollIntervalMs: config.pollIntervalMs, clusterIntervalMs: config.cluster.intervalMs }
}

// Unhandled rejections are reported on the next turns of the event loop: one more macrotask lets them surface.
const settle = async (): Promise<void> => { await new Promise((resolve) => setImmediate(resolve)) }

t.test('monitor: a throwing listener in the node name lookup and the rebalance status read', async (t) => {
  const h = harness(t, (next, prev) => next.nodeName !== prev.nodeName || next.rebalance !== prev.rebalance)
  const { client, pollIntervalMs } = await credentialedClient(t)
  const monitor = new Monitor({ client, store: h.store, log: h.log, pollIntervalMs, failureThreshold: 3 })
  monitor.start()
  await waitFor(() => h.thrown(), (n) => n >= 2, { what: 'both listener throws (node name, rebalance status)', timeoutMs: 5000 })
  let more = 0
  await nextEvent(h.store, 'check', () => ++more >= 3, 5000, 'three more checks: the loop goes on')
  await monitor.stop()
  await settle()
  t.same(h.unhandled, [], 'no unhandled rejection')
  t.equal(h.errors.length, h.thrown(), 'every throw reported to the store\'s handler')
  t.same(h.internal, [], 'the loop itself never saw a failure')
})

t.test('cluster watcher: a throwing listener is logged and the watcher keeps reading', async (t) => {
  const h = harness(t, (next, prev) => next.clusterAt !== prev.clusterAt)
  const { client, clusterIntervalMs } = await credentialedClient(t)
  await client.check()
  const cluster = new ClusterWatcher({ client, store: h.store, intervalMs: clusterIntervalMs, log: h.log })
  cluster.start()
  t.teardown(async () => { await cluster.stop() })
  await waitFor(() => h.thrown(), (n) => n >= 3, { what: 'three cluster reads despite the throwing listener', timeoutMs: 5000 })
  await cluster.stop()
  await settle()
  t.same(h.unhandled, [], 'no unhandled rejection')
  t.equal(h.errors.length, h.thrown(), 'every throw reported to the store\'s handler')
  t.same(h.internal, [], 'the watcher itself never saw a failure')
})

t.test('drain file watcher: a throwing listener is logged and the watch goes on', async (t) => {
  const h = harness(t, (next, prev) => next.overrides !== prev.overrides)
  const path = join(tempDir(t), 'drain')
  const watcher = new DrainFileWatcher({ path, store: h.store, log: h.log, intervalMs: 20 })
  await watcher.start()
  t.teardown(() => { watcher.stop() })
  writeFileSync(path, '')
  await waitFor(() => h.thrown(), (n) => n >= 1, { what: 'the drain file seen', timeoutMs: 5000 })
  rmSync(path)
  // the override was set before the listener threw, so removing the file is a change the watcher must still see
  await waitFor(() => h.thrown(), (n) => n >= 2, { what: 'the removal seen: the watch went on', timeoutMs: 5000 })
  watcher.stop()
  await settle()
  t.same(h.unhandled, [], 'no unhandled rejection')
  t.equal(h.errors.length, 2, 'each reported to the store\'s handler')
  t.same(h.internal, [], 'the watch itself never saw a failure')
})

t.test('evacuator: a listener bug neither fails the run nor its caller; the node drains', async (t) => {
  const h = harness(t, (next, prev) => next.overrides.evacuation !== undefined && prev.overrides.evacuation === undefined)
  h.store.setDetails({ nodeName: 'emqx@127.0.0.1' })
  const sim = await startDouble(t, { profile: 'v5' })
  const { config } = loadServeConfig(['--emqx-url', sim.url, '--emqx-username', 'admin', '--evacuation-timeout', '5s'], { SIDECAR_EMQX_PASSWORD: 'public' })
  const client = new EmqxClient(config.emqx)
  t.teardown(async () => { await client.close() })
  await client.check()
  const evacuator = new Evacuator({ client, store: h.store, log: h.log, config: config.evacuation, pollIntervalMs: 50 })
  const run = evacuator.start('test')
  t.equal(h.store.current.state, 'draining', 'the node drains at once (fail closed)')
  await waitFor(() => h.thrown(), (n) => n >= 1, { what: 'the listener thrown on the evacuation override', timeoutMs: 5000 })
  await evacuator.stop('test')
  await t.resolves(evacuator.settled(), 'shutdown waiting for the evacuation settles')
  t.ok(h.errors.length >= 1 && h.errors.every((e) => e.event === 'update'), 'reported to the store\'s handler')
  run.catch(() => undefined)
})
