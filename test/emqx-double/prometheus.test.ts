import t from 'tap'
import { request } from 'undici'
import { startDouble } from '../support/emqx-double.js'

const AUTH = `Basic ${Buffer.from('admin:public').toString('base64')}`

async function stats (url: string, headers: Record<string, string>): Promise<{ status: number, type: string, body: string }> {
  const res = await request(`${url}/api/v5/prometheus/stats`, { headers, headersTimeout: 2000, bodyTimeout: 2000 })
  return { status: res.statusCode, type: String(res.headers['content-type']), body: await res.body.text() }
}

t.test('the format follows the Accept header as EMQX\'s response_type/1 does: JSON to exactly application/json, text otherwise', async (t) => {
  const sim = await startDouble(t, { profile: 'v5', timeScale: 0 })
  sim.connect(5)
  const asJson = await stats(sim.url, { accept: 'application/json' })
  t.equal(asJson.status, 200)
  t.match(asJson.type, /^application\/json/)
  t.match(JSON.parse(asJson.body), { client: { emqx_client_connect: 5 } }, 'EMQX\'s JSON format: objects per group')
  t.notMatch(asJson.body, /^emqx_client_connect /m, 'no exposition line in it')
  for (const accept of ['text/plain', '*/*', 'application/json, text/plain', undefined]) {
    const a = await stats(sim.url, accept === undefined ? {} : { accept })
    t.equal(a.type, 'text/plain', `text for ${accept ?? 'no Accept'}`)
    t.match(a.body, /^emqx_client_connect 5$/m)
    t.ok(Buffer.byteLength(a.body) > 16 * 1024, `the exposition is of EMQX's size (${Buffer.byteLength(a.body)} bytes)`)
  }
})

t.test('6.3 (master): JSON refused with 400, the endpoint behind basic auth by default (scope monitoring)', async (t) => {
  const sim = await startDouble(t, { profile: 'v6.3', timeScale: 0 })
  t.equal((await stats(sim.url, { accept: 'text/plain' })).status, 401, 'no credentials: 401 (prometheus.enable_basic_auth defaults to true)')
  const refused = await stats(sim.url, { accept: 'application/json', authorization: AUTH })
  t.same([refused.status, refused.body], [400, 'only prometheus format is supported'])
  t.match((await stats(sim.url, { accept: 'text/plain', authorization: AUTH })).body, /^emqx_client_connect 0$/m)
  const noScope = await startDouble(t, { profile: 'v6.3', timeScale: 0, scopes: ['cluster_operations'] })
  t.equal((await stats(noScope.url, { authorization: AUTH })).status, 403, 'a key without the monitoring scope')
  const open = await startDouble(t, { profile: 'v6.3', timeScale: 0, prometheusBasicAuth: false })
  t.equal((await stats(open.url, {})).status, 200, 'enable_basic_auth = false restores the open endpoint')
})

t.test('before e5.2.0 the exposition has no emqx_client_connect', async (t) => {
  const sim = await startDouble(t, { profile: 'v5.3', timeScale: 0 })
  const a = await stats(sim.url, {})
  t.equal(a.status, 200)
  t.notMatch(a.body, /^emqx_client_connect /m)
  t.match(a.body, /^emqx_client_connected /m)
})

t.test('/api/v5/metrics: scope monitoring (6.0.3+); ?node= honoured from 5.8.2, an unknown node an empty list', async (t) => {
  const get = async (url: string, q: string): Promise<{ status: number, json: unknown }> => {
    const res = await request(`${url}/api/v5/metrics${q}`, { headers: { authorization: AUTH } })
    return { status: res.statusCode, json: await res.body.json() }
  }
  const v58 = await startDouble(t, { profile: 'v5.8', timeScale: 0 })
  t.match(await get(v58.url, `?node=${encodeURIComponent(v58.nodeName)}`), { status: 200, json: [{ node: v58.nodeName }] })
  t.same((await get(v58.url, '?node=emqx%40nowhere')).json, [])
  const noScope = await startDouble(t, { profile: 'v5', timeScale: 0, scopes: ['cluster_operations'] })
  t.equal((await get(noScope.url, '')).status, 403)
})
