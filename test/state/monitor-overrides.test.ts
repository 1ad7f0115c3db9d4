import t from 'tap'
import pino from 'pino'
import { Writable } from 'node:stream'
import { loadServeConfig } from '../../src/config/serve-config.js'
import { EmqxClient } from '../../src/emqx/client.js'
import { Monitor } from '../../src/state/monitor.js'
import { Store } from '../../src/state/store.js'
import { initialSnapshot } from '../../src/state/transition.js'
import { startDouble } from '../support/emqx-double.js'
import { nextEvent } from '../support/wait.js'

t.test('under a drain switch the monitor still tracks and logs what EMQX says, and the switch keeps the node draining', async (t) => {
  const sim = await startDouble(t, { profile: 'v5' })
  const lines: Array<Record<string, unknown>> = []
  const sink = new Writable({ write (chunk: Buffer, _e, cb) { lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>); cb() } })
  const { config } = loadServeConfig(['--emqx-url', sim.url, '--poll-interval', '50ms'], {})
  const client = new EmqxClient(config.emqx)
  const store = new Store(initialSnapshot(Date.now()))
  const monitor = new Monitor({ client, store, log: pino({ level: 'info' }, sink), pollIntervalMs: 50, failureThreshold: 3 })
  t.teardown(async () => { await monitor.stop(); await client.close() })
  monitor.start()
  await nextEvent(store, 'update', (s: { state: string }) => s.state === 'up', 2000, 'up')
  store.setOverride('manualDrain', { since: Date.now(), by: 'test' }, Date.now())
  sim.becomeDonor()
  await nextEvent(store, 'update', (s: { observed: { state: string } }) => s.observed.state === 'draining', 2000, 'EMQX drains underneath')
  t.match(store.current, { state: 'draining', reason: 'manual_drain' })
  sim.stopProcess()
  await nextEvent(store, 'update', (s: { observed: { state: string } }) => s.observed.state === 'up', 2000, 'EMQX up again underneath')
  t.match(store.current, { state: 'draining', reason: 'manual_drain' }, 'still drained by the switch')
  const said = lines.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('EMQX alone would now say')).map((l) => l.emqxState)
  t.same(said, ['draining', 'up'], 'each change of EMQX\'s verdict logged once')
})
