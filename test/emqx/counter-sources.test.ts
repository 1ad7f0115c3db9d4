import t, { type Test } from 'tap'
import { loadServeConfig } from '../../src/config/serve-config.js'
import { EmqxClient } from '../../src/emqx/client.js'
import { counterSelection } from '../../src/emqx/counter-sources.js'
import { CREDENTIALS_HINT } from '../../src/emqx/parse.js'
import { startDouble, type EmqxDouble, type SimProfile } from '../support/emqx-double.js'

// Which source EMQX's CONNECT counter is read from, and why not the others: before detection from the
// configuration, then from what the reads of each EMQX version (the double's profiles) got.

t.test('before the API is detected: what will be tried, with and without credentials', async (t) => {
  t.same(counterSelection({ version: undefined, hasCredentials: false }).summary,
    'will try prometheus on EMQX 5.x (no credentials: /api/v5/metrics needs an API key); ' +
      'none on EMQX 4.4 (EMQX 4.4 has no CONNECT counter without credentials (/api/v4/nodes/<node>/metrics needs an AppID))')
  t.same(counterSelection({ version: undefined, hasCredentials: true }).summary,
    'will try prometheus, then metrics_api on EMQX 5.x; v4_metrics on EMQX 4.4')
  t.same(counterSelection({ version: 'v5', hasCredentials: true }).summary, 'will try prometheus, then metrics_api')
  const v4 = counterSelection({ version: 'v4', hasCredentials: false })
  t.equal(v4.summary, 'none: EMQX 4.4 has no CONNECT counter without credentials (/api/v4/nodes/<node>/metrics needs an AppID)')
  t.ok(v4.settled, 'no reading can change it')
  t.same(v4.sources.map((s) => s.state), ['not_offered', 'not_offered', 'no_credentials'])
})

t.test('a source that does not answer is tried again: not settled, and named with its error', async (t) => {
  const s = counterSelection({ version: 'v5', hasCredentials: false, tried: new Map([['prometheus', { kind: 'unreadable', detail: 'EMQX answered 503', status: 503 }]]) })
  t.equal(s.summary, 'none yet: prometheus stats: EMQX answered 503; no credentials: /api/v5/metrics needs an API key (tried again at the next reading)')
  t.notOk(s.settled)
  t.match(s.sources[0], { state: 'unreadable', httpStatus: 503 })
})

/** A client on the double, checked once (the API detected), its counter read `reads` times. */
async function client (t: Test, sim: EmqxDouble, withKey: boolean, reads = 1): Promise<EmqxClient> {
  const key = withKey ? ['--emqx-username', 'admin'] : []
  const { config } = loadServeConfig(['--emqx-url', sim.url, ...key], withKey ? { SIDECAR_EMQX_PASSWORD: 'public' } : {})
  const c = new EmqxClient(config.emqx)
  t.teardown(() => c.close())
  await c.check()
  t.match(c.connectCounter().summary, /^(will try|none)/, 'before the first reading: what will be tried')
  for (let i = 0; i < reads; i++) await c.connects(sim.nodeName)
  return c
}

const cases: Array<[string, SimProfile, boolean, string, string | null, string[]]> = [
  ['5.x without credentials', 'v5', false, 'prometheus (no credentials: /api/v5/metrics needs an API key)', 'prometheus',
    ['in_use', 'no_credentials', 'not_offered']],
  ['5.x with a key: the Prometheus endpoint first', 'v5', true, 'prometheus', 'prometheus', ['in_use', 'not_needed', 'not_offered']],
  ['6.3 without credentials: basic auth on the stats', 'v6.3', false,
    'none: prometheus stats answered 401: prometheus.enable_basic_auth is on (the default from EMQX 6.3): set an API key with the ' +
      `monitoring scope (${CREDENTIALS_HINT}); no credentials: /api/v5/metrics needs an API key`, null, ['refused', 'no_credentials', 'not_offered']],
  ['6.3 with a key', 'v6.3', true, 'prometheus', 'prometheus', ['in_use', 'not_needed', 'not_offered']],
  ['e5.0.4 with a key: no emqx_client_connect in its exposition', 'v5.0.4', true,
    'metrics_api (prometheus stats answered without this node\'s emqx_client_connect (it first appears at EMQX e5.2.0))', 'metrics_api',
    ['absent', 'in_use', 'not_offered']],
  ['5.3 profile (e5.1) with a key: the same', 'v5.3', true,
    'metrics_api (prometheus stats answered without this node\'s emqx_client_connect (it first appears at EMQX e5.2.0))', 'metrics_api',
    ['absent', 'in_use', 'not_offered']],
  ['4.4 with credentials', 'v4.4', true, 'v4_metrics', 'v4_metrics', ['not_offered', 'not_offered', 'in_use']],
  ['4.4.24 without credentials', 'v4.4.24', false,
    'none: EMQX 4.4 has no CONNECT counter without credentials (/api/v4/nodes/<node>/metrics needs an AppID)', null,
    ['not_offered', 'not_offered', 'no_credentials']],
]

for (const [what, profile, withKey, summary, source, states] of cases) {
  t.test(what, async (t) => {
    const sim = await startDouble(t, { profile, timeScale: 0 })
    sim.connect(3)
    const c = await client(t, sim, withKey, 2)
    const s = c.connectCounter()
    t.equal(s.summary, summary)
    t.equal(s.source ?? null, source)
    t.ok(s.settled)
    t.same(s.sources.map((r) => r.state), states)
    t.notMatch(JSON.stringify(s), /public|YWRtaW46cHVibGlj/, 'no secret')
  })
}

t.test('a key without the monitoring scope (6.3): both refused with 403, each says why', async (t) => {
  const sim = await startDouble(t, { profile: 'v6.3', timeScale: 0, scopes: ['cluster_operations'] })
  const s = (await client(t, sim, true)).connectCounter()
  t.equal(s.summary, 'none: prometheus stats answered 403: the API key lacks the monitoring scope (EMQX 6.0.3+, 6.1.2+): add it to ' +
    'the key; /api/v5/metrics answered 403: the API key lacks the monitoring scope (EMQX 6.0.3+, 6.1.2+): add it to the key')
  t.same(s.sources.map((r) => [r.state, r.httpStatus]), [['refused', 403], ['refused', 403], ['not_offered', undefined]])
})

t.test('a counter source down: not settled until it answers, then in use', async (t) => {
  const sim = await startDouble(t, { profile: 'v5', timeScale: 0 })
  await sim.setFault('5xx', { path: 'connects' })
  const c = await client(t, sim, false)
  t.match(c.connectCounter(), { settled: false, summary: /^none yet: prometheus stats: EMQX answered 5\d\d; no credentials/ })
  await sim.setFault('none')
  await c.connects(sim.nodeName)
  t.match(c.connectCounter(), { settled: true, source: 'prometheus' })
})

t.test('a proxy\'s page or garbage in place of the counter is not an EMQX without it: not settled, tried again', async (t) => {
  for (const withKey of [false, true]) {
    const sim = await startDouble(t, { profile: 'v5', timeScale: 0 })
    await sim.setFault('garbage', { path: 'connects' })
    const c = await client(t, sim, withKey)
    const s = c.connectCounter()
    t.match(s, { settled: false, summary: /^none yet: prometheus stats: the answer is not an EMQX Prometheus exposition/ },
      `${withKey ? 'with' : 'without'} a key: not 'answered without emqx_client_connect' (that is what EMQX before e5.2.0 says)`)
    t.notOk(s.sources.some((r) => r.state === 'absent'), 'no source is said to lack the counter')
    await sim.setFault('none')
    await c.connects(sim.nodeName)
    t.match(c.connectCounter(), { settled: true, source: 'prometheus' }, 'the fault over, the source is found')
  }
})
