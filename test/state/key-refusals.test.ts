import t, { type Test } from 'tap'
import pino from 'pino'
import { Writable } from 'node:stream'
import { loadServeConfig } from '../../src/config/serve-config.js'
import { EmqxClient } from '../../src/emqx/client.js'
import { followKeyRefusals } from '../../src/state/key-refusals.js'
import { Store } from '../../src/state/store.js'
import { initialSnapshot } from '../../src/state/transition.js'
import { statusDocument } from '../../src/http/views/status.js'
import { formatStatus } from '../../src/commands/status-format.js'
import { pageView } from '../../src/http/views/ui-view.js'
import { uiPage } from '../../src/http/views/ui-page.js'
import { ProgressHistory } from '../../src/http/views/progress-history.js'
import { LogCodes } from '../../src/errors.js'
import { startDouble, type EmqxDouble, type SimProfile } from '../support/emqx-double.js'

/** A client with the key `admin`/`public`, its refusals followed into a store, the log kept. */
async function setup (t: Test, sim: EmqxDouble, withName = true) {
  const lines: Array<Record<string, unknown>> = []
  const sink = new Writable({ write (chunk: Buffer, _e, cb) { lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>); cb() } })
  const args = ['--emqx-url', sim.url, '--emqx-username', 'admin', '--emqx-password', 'public', '--emqx-timeout', '500ms']
  const client = new EmqxClient(loadServeConfig(args, {}).config.emqx)
  t.teardown(() => client.close())
  const store = new Store(initialSnapshot(Date.now()))
  followKeyRefusals(client, store, pino({ level: 'debug' }, sink))
  t.match((await client.check()).outcome, { kind: 'available' }, 'availability_check answers whatever the key')
  if (withName) store.setDetails({ nodeName: await client.nodeName() })
  const coded = (code: string): number => lines.filter((l) => l.code === code).length
  const configError = (): string | null => statusDocument(store.current, Date.now()).emqx.config_error
  return { client, store, lines, coded, configError }
}

type Read = 'rebalance_status' | 'global_status' | 'cluster' | 'metrics'
const READS: Record<Read, (c: EmqxClient, sim: EmqxDouble) => Promise<unknown>> = {
  rebalance_status: async (c) => await c.localRebalance(),
  global_status: async (c) => await c.globalStatus(),
  cluster: async (c) => await c.membership(undefined),
  metrics: async (c, sim) => await c.connects(sim.nodeName),
}
const PATHS: Record<'v4' | 'v5', Record<Read, RegExp>> = {
  v5: {
    rebalance_status: /GET \/api\/v5\/load_rebalance\/status \(rebalance_status\)/,
    global_status: /GET \/api\/v5\/load_rebalance\/global_status \(global_status\)/,
    cluster: /GET \/api\/v5\/cluster \(cluster\)/,
    metrics: /GET \/api\/v5\/(metrics|prometheus\/stats) \(metrics\)/,
  },
  v4: {
    rebalance_status: /GET \/api\/v4\/load_rebalance\/status \(rebalance_status\)/,
    global_status: /GET \/api\/v4\/load_rebalance\/global_status \(global_status\)/,
    cluster: /GET \/api\/v4\/nodes \(cluster\)/,
    metrics: /GET \/api\/v4\/nodes\/emqx@127\.0\.0\.1\/metrics \(metrics\)/,
  },
}
const SCOPE: Record<Read, string> = { rebalance_status: 'cluster_operations', global_status: 'cluster_operations', cluster: 'cluster_operations', metrics: 'monitoring' }
const OTHER_SCOPE: Record<string, string> = { cluster_operations: 'monitoring', monitoring: 'cluster_operations' }

async function refusedThenAccepted (
  t: Test,
  profile: SimProfile,
  read: Read,
  status: 401 | 403
): Promise<void> {
  // prometheusBasicAuth: the Prometheus endpoint wants the key too, so the counter has no public source
  const sim = await startDouble(t, { profile, prometheusBasicAuth: true })
  const { client, store, lines, coded, configError } = await setup(t, sim)
  t.not(await READS[read](client, sim), undefined)
  t.equal(configError(), null, 'the key accepted: no configuration error')
  if (status === 401) sim.setApiKey({ password: 'rotated' })
  else sim.setApiKey({ scopes: [OTHER_SCOPE[SCOPE[read]] ?? ''] })
  for (let i = 0; i < 3; i++) await READS[read](client, sim)
  const api = profile.startsWith('v4') ? 'v4' : 'v5'
  const error = configError() ?? ''
  t.match(error, PATHS[api][read], '/status names the read that was refused')
  t.match(error, new RegExp(`EMQX answered ${status}`), 'and the status')
  t.match(error, status === 403 ? new RegExp(`lacks the ${SCOPE[read]} scope`) : /rejected the (API key|AppID)/, 'and what to fix')
  t.notMatch(error, /public|rotated/, 'never the secret')
  t.equal(coded(LogCodes.EMQX_KEY_REFUSED), 1, 'one error event for three refused reads')
  const logged = lines.find((l) => l.code === LogCodes.EMQX_KEY_REFUSED)
  t.match(logged, { level: 50, read, httpStatus: status, msg: /^configuration error: / })
  t.notMatch(JSON.stringify(lines), /public|rotated|YWRtaW46/, 'no secret in the log')
  const doc = statusDocument(store.current, Date.now())
  const text = formatStatus(doc)
  t.match(text, /CONFIGURATION ERROR: EMQX answered/, 'the status command says it')
  t.match(text, /^Node emqx@127\.0\.0\.1: /, 'and names the node, which the public node status gave')
  const page = uiPage(pageView(doc, [], new ProgressHistory(), Date.now()), true)
  t.match(page, /Configuration problem.*EMQX answered/s, 'the live page shows it')
  t.equal(store.current.state, 'starting', 'no check was applied: refusals never make the node available')

  if (status === 401) sim.setApiKey({ password: 'public' })
  else sim.setApiKey({ scopes: undefined })
  for (let i = 0; i < 2; i++) await READS[read](client, sim)
  t.equal(configError(), null, 'the read answered again: the configuration error is gone')
  t.equal(coded(LogCodes.EMQX_KEY_ACCEPTED), 1, 'one recovery line')
  t.equal(coded(LogCodes.EMQX_KEY_REFUSED), 1, 'and no more errors')
  t.match(lines.find((l) => l.code === LogCodes.EMQX_KEY_ACCEPTED), { level: 30, read })
}

for (const read of Object.keys(READS) as Read[]) {
  for (const status of [401, 403] as const) {
    t.test(`5.x ${read}: a ${status} shows in /status config_error and logs once per change`, async (t) => {
      await refusedThenAccepted(t, 'v5', read, status)
    })
  }
  t.test(`4.4 ${read}: a 401 shows in /status config_error and logs once per change`, async (t) => {
    await refusedThenAccepted(t, 'v4.4.24', read, 401)
  })
}

t.test('a timeout or a 5xx on a refused read keeps the refusal; two reads refused: both named, each logged once', async (t) => {
  const sim = await startDouble(t, { profile: 'v5' })
  const { client, store, coded, configError } = await setup(t, sim, false)
  sim.setApiKey({ scopes: ['monitoring'] })
  await client.localRebalance()
  await client.membership(undefined)
  await sim.setFault('5xx', { path: 'cluster' })
  await client.membership(undefined)
  await sim.setFault('none')
  t.match(configError(), /load_rebalance\/status.*cluster_operations.*; .*\/api\/v5\/cluster \(cluster\).*cluster_operations/)
  t.equal(coded(LogCodes.EMQX_KEY_REFUSED), 2, 'one per read')
  t.match(formatStatus(statusDocument(store.current, Date.now())), /^Node \(name not read: see the CONFIGURATION ERROR below\)/,
    'the status command, without a node name, points at the configuration error')
})

t.test('without credentials, a Prometheus endpoint behind basic auth says to set a key', async (t) => {
  const sim = await startDouble(t, { profile: 'v6.3' })
  const client = new EmqxClient(loadServeConfig(['--emqx-url', sim.url], {}).config.emqx)
  t.teardown(() => client.close())
  const store = new Store(initialSnapshot(Date.now()))
  followKeyRefusals(client, store, pino({ level: 'silent' }))
  await client.check()
  await client.connects(sim.nodeName)
  t.match(statusDocument(store.current, Date.now()).emqx.config_error, /401 on GET \/api\/v5\/prometheus\/stats \(metrics\): prometheus\.enable_basic_auth is on/)
})
