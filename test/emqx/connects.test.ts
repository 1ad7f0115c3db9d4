import t, { type Test } from 'tap'
import { loadServeConfig } from '../../src/config/serve-config.js'
import { EmqxClient } from '../../src/emqx/client.js'
import { parseMetricsApiConnects, parsePrometheusConnects, parseV4Connects, type ConnectRead } from '../../src/emqx/connects.js'
import { PROMETHEUS_MAX_BYTES, prometheusConnectReader } from '../../src/emqx/prometheus-scan.js'
import { realisticExposition } from '../../src/emqx-double/prometheus-exposition.js'
import { startDouble, type EmqxDouble } from '../support/emqx-double.js'

const AUTH = `Basic ${Buffer.from('admin:public').toString('base64')}`

t.test('the CONNECT counter from each source EMQX offers', async (t) => {
  t.equal(parsePrometheusConnects('# TYPE emqx_client_connect counter\nemqx_client_connect 42\nemqx_client_connected 3\n'), 42, 'node mode: no label')
  t.equal(parsePrometheusConnects('emqx_client_connect{node="emqx@a"} 7\n'), 7, 'one labelled sample')
  t.equal(parsePrometheusConnects('emqx_client_connect{node="a"} 7\nemqx_client_connect{node="b"} 9\n'), undefined,
    'cluster mode (one sample per node) is not this node\'s: no evidence')
  t.equal(parsePrometheusConnects('emqx_client_connected 3\n'), undefined, 'absent: no evidence')
  t.equal(parsePrometheusConnects('emqx_client_connect NaN\n'), undefined, 'garbage: no evidence')
  t.equal(parseMetricsApiConnects('[{"node":"emqx@a","client.connect":5},{"node":"emqx@b","client.connect":9}]', 'emqx@b'), 9)
  t.equal(parseMetricsApiConnects('[{"node":"emqx@a","client.connect":5}]', 'emqx@b'), undefined, 'another node\'s figure is not evidence')
  t.equal(parseMetricsApiConnects('<html>', 'emqx@a'), undefined)
  t.equal(parseV4Connects('{"code":0,"data":{"client.connect":11}}'), 11)
  t.equal(parseV4Connects('{"code":400,"message":"bad"}'), undefined, '4.4 in-body error')
})

t.test('the exposition is read as it streams in: lines split between chunks, long lines skipped, the cap', async (t) => {
  const feed = (chunks: readonly string[], maxBytes?: number): number | undefined => {
    const r = prometheusConnectReader(maxBytes)
    for (const c of chunks) r.data(Buffer.from(c))
    return r.end()
  }
  t.equal(feed(['# TYPE emqx_client_connect counter\nemqx_cli', 'ent_conn', 'ect 42\nemqx_client_connected 3\n']), 42, 'a sample split over three chunks')
  t.equal(feed(['emqx_client_connect 42']), 42, 'the last line without its newline')
  t.equal(feed([`# HELP x ${'y'.repeat(10_000)}`, '\nemqx_client_connect 5\n']), 5, 'a line over 4 KiB is skipped, not kept, and the next one read')
  t.equal(feed(['emqx_client_connect 1\n', 'emqx_client_connect 2\n']), undefined, 'two samples are not this node\'s alone')
  t.equal(prometheusConnectReader().maxBytes, PROMETHEUS_MAX_BYTES)
  const big = realisticExposition({ connects: 77, durableStorage: true, vmCollectors: { schedulers: 8 } })
  t.ok(Buffer.byteLength(big) > 64 * 1024, `a 5.8 exposition with the VM collectors on 8 schedulers is ${Buffer.byteLength(big)} bytes, over 64 KiB`)
  t.ok(Buffer.byteLength(big) < PROMETHEUS_MAX_BYTES / 4, 'and far below the cap')
  t.equal(parsePrometheusConnects(big), 77)
  t.equal(parsePrometheusConnects(realisticExposition({})), undefined, 'before e5.2.0 there is no emqx_client_connect')
})

/** A sidecar's counter reader against the double, with or without the double's API key. */
async function reader (t: Test, sim: EmqxDouble, withKey: boolean): Promise<() => Promise<ConnectRead>> {
  const key = withKey ? ['--emqx-username', 'admin'] : []
  const { config } = loadServeConfig(['--emqx-url', sim.url, ...key], withKey ? { SIDECAR_EMQX_PASSWORD: 'public' } : {})
  const client = new EmqxClient(config.emqx)
  t.teardown(() => client.close())
  t.match(await client.check(), { outcome: { kind: 'available' } })
  return async () => await client.connects(sim.nodeName)
}

t.test('5.x without credentials: the counter from /api/v5/prometheus/stats in text (EMQX answers accept: application/json with JSON)', async (t) => {
  const sim = await startDouble(t, { profile: 'v5', timeScale: 0 })
  sim.connect(12)
  const read = await reader(t, sim, false)
  t.same(await read(), { ok: true, count: 12, source: 'prometheus' })
  sim.connect(3)
  t.same(await read(), { ok: true, count: 15, source: 'prometheus' })
})

t.test('durable sessions (5.8): the longer exposition is read too', async (t) => {
  const sim = await startDouble(t, { profile: 'v5.8', timeScale: 0 })
  sim.connect(4)
  const read = await reader(t, sim, false)
  t.same(await read(), { ok: true, count: 4, source: 'prometheus' })
})

t.test('durable sessions on or off, as the exposition shows it: only the emqx_ds_ families tell, on the counter read itself', async (t) => {
  const feed = (chunks: readonly string[]): boolean | undefined => {
    let seen: boolean | undefined
    const r = prometheusConnectReader(undefined, (d) => { seen = d })
    for (const c of chunks) r.data(Buffer.from(c))
    t.equal(seen, undefined, 'told only at the end')
    r.end()
    return seen
  }
  t.equal(feed([realisticExposition({ connects: 1, durableStorage: true })]), true)
  t.equal(feed([realisticExposition({ connects: 1 })]), false, 'emqx_durable_subscriptions_* are stats, there either way')
  t.equal(feed(['emqx_client_connect 1\n# TYPE emqx_ds_buff', 'er_batches counter\n# HELP emqx_ds_buffer_batches \n\n']), true,
    'a family without samples (no DB yet), split between chunks')
  const cases = [
    { name: 'v5.8 (5 durable sessions)', o: { profile: 'v5.8' as const }, durable: true },
    { name: 'enabled, no durable session', o: { profile: 'v5.8' as const, durableSessions: 0, durableSessionsEnabled: true }, durable: true },
    { name: 'v5.8 with durable sessions off', o: { profile: 'v5.8' as const, durableSessionsEnabled: false }, durable: false },
    { name: 'v5', o: { profile: 'v5' as const }, durable: false },
  ]
  for (const c of cases) {
    const sim = await startDouble(t, { ...c.o, timeScale: 0 })
    const { config } = loadServeConfig(['--emqx-url', sim.url], {})
    const client = new EmqxClient(config.emqx)
    t.teardown(() => client.close())
    await client.check()
    t.equal(client.durableSessions, undefined, `${c.name}: not known before a read`)
    t.match(await client.connects(sim.nodeName), { ok: true, source: 'prometheus' })
    t.equal(client.durableSessions, c.durable, c.name)
    if (c.o.durableSessionsEnabled === false) t.equal(sim.counts.durableSessions, 0, "off: EMQX's bookkeeper counts none")
  }
})

t.test('durable sessions not known when the counter comes from /api/v5/metrics, or its read failed', async (t) => {
  // e5.1.0: no emqx_client_connect in the exposition, so the key's /api/v5/metrics is the source
  const sim = await startDouble(t, { profile: 'v5.3', timeScale: 0, durableSessionsEnabled: true })
  const { config } = loadServeConfig(['--emqx-url', sim.url, '--emqx-username', 'admin'], { SIDECAR_EMQX_PASSWORD: 'public' })
  const client = new EmqxClient(config.emqx)
  t.teardown(() => client.close())
  await client.check()
  t.match(await client.connects(sim.nodeName), { ok: true, source: 'metrics_api' })
  t.equal(client.durableSessions, undefined, 'the exposition read first had the DS families, but no counter: not taken')
  const locked = await startDouble(t, { profile: 'v6.3', timeScale: 0, durableSessionsEnabled: true })
  const { config: c2 } = loadServeConfig(['--emqx-url', locked.url], {})
  const c = new EmqxClient(c2.emqx)
  t.teardown(() => c.close())
  await c.check()
  t.match(await c.connects(locked.nodeName), { ok: false })
  t.equal(c.durableSessions, undefined, 'a 401 tells nothing')
})

t.test('6.3: the Prometheus endpoint needs the API key by default (enable_basic_auth); without one, no counter and the reason', async (t) => {
  const sim = await startDouble(t, { profile: 'v6.3', timeScale: 0 })
  sim.connect(9)
  const without = await reader(t, sim, false)
  t.match(await without(), { ok: false, error: /prometheus\/stats: EMQX answered 401: prometheus\.enable_basic_auth is on \(the default from EMQX 6\.3\): set an API key with the monitoring scope/ })
  const withKey = await reader(t, sim, true)
  t.same(await withKey(), { ok: true, count: 9, source: 'prometheus' }, 'with the key, the same endpoint in text')
})

t.test('a key without the monitoring scope (6.0.3+): neither source answers, each says why', async (t) => {
  const sim = await startDouble(t, { profile: 'v6.3', timeScale: 0, scopes: ['cluster_operations'] })
  const read = await reader(t, sim, true)
  t.match(await read(), { ok: false, error: /prometheus\/stats: EMQX answered 403: the API key lacks the monitoring scope.*metrics\?node=emqx%40127\.0\.0\.1: EMQX answered 403: the API key lacks the monitoring scope \(EMQX 6\.0\.3\+, 6\.1\.2\+\)/ })
})

t.test('/api/v5/metrics before 5.8.2 drops ?node= and returns every node: the row is picked by node', async (t) => {
  const sim = await startDouble(t, { profile: 'v5', timeScale: 0, prometheusBasicAuth: true, scopes: ['monitoring', 'cluster_operations'] })
  sim.connect(21)
  // basic auth on the Prometheus endpoint with the key: still read there first
  const read = await reader(t, sim, true)
  t.same(await read(), { ok: true, count: 21, source: 'prometheus' })
  const rows = JSON.parse(sim.route('GET', `/api/v5/metrics?node=${encodeURIComponent(sim.nodeName)}`, AUTH, '').body) as Array<{ node: string }>
  t.same(rows.map((r) => r.node), ['emqx2@127.0.0.1', sim.nodeName], 'both nodes, this one not first')
  t.equal(parseMetricsApiConnects(JSON.stringify(rows), sim.nodeName), 21)
})
