import t from 'tap'
import { loadServeConfig } from '../../src/config/serve-config.js'
import { EmqxClient } from '../../src/emqx/client.js'
import { paths } from '../../src/emqx/api.js'
import { classifyEvacuationAnswer, evacuationBody } from '../../src/emqx/evacuation.js'
import type { EvacuationSettings } from '../../src/config/serve-types.js'
import { startDouble, type SimProfile } from '../support/emqx-double.js'

const settings: EvacuationSettings = { waitHealthCheckS: 10, connEvictRate: 100, sessEvictRate: 50, waitTakeoverS: 30, redirectTo: 'mqtt.example:1883', migrateTo: ['emqx@n2', 'emqx@n3'] }

t.test('start body: durations as integer seconds everywhere, wait_health_check offered to 4.4 too; empty optionals left out', async (t) => {
  t.same(evacuationBody('v5', settings), { wait_health_check: 10, conn_evict_rate: 100, sess_evict_rate: 50, wait_takeover: 30, redirect_to: 'mqtt.example:1883', migrate_to: ['emqx@n2', 'emqx@n3'] })
  t.same(evacuationBody('v4', settings), { wait_health_check: 10, conn_evict_rate: 100, sess_evict_rate: 50, wait_takeover: 30, redirect_to: 'mqtt.example:1883', migrate_to: ['emqx@n2', 'emqx@n3'] }, '4.4.24+ may hold its own wait')
  t.same(evacuationBody('v4', settings, { withoutWaitHealthCheck: true }), { conn_evict_rate: 100, sess_evict_rate: 50, wait_takeover: 30, redirect_to: 'mqtt.example:1883', migrate_to: ['emqx@n2', 'emqx@n3'] }, 'the retry for 4.4 before the wait phase')
  t.same(evacuationBody('v5', { ...settings, redirectTo: '', migrateTo: [] }), { wait_health_check: 10, conn_evict_rate: 100, sess_evict_rate: 50, wait_takeover: 30 }, 'EMQX rejects an empty migrate_to (nonempty_list)')
  t.same(evacuationBody('v5', settings, { withoutWaitHealthCheck: true }), { conn_evict_rate: 100, sess_evict_rate: 50, wait_takeover: 30, redirect_to: 'mqtt.example:1883', migrate_to: ['emqx@n2', 'emqx@n3'] }, 'e5.0.4 retry')
  t.equal(evacuationBody('v4', { ...settings, waitTakeoverS: 0 }).wait_takeover, 1, '4.4 needs wait_takeover > 0')
  t.equal(evacuationBody('v5', { ...settings, waitTakeoverS: 0 }).wait_takeover, 0, 'e5.1.1+: 0 is legal (timeout_duration_s), sent as 0')
  t.equal(evacuationBody('v5', { ...settings, waitTakeoverS: 0 }, { positiveWaitTakeover: true }).wait_takeover, 1, 'the retry for e5.1.0 (pos_integer)')
  t.equal(evacuationBody('v5', { ...settings, waitTakeoverS: 0 }, { withoutWaitHealthCheck: true }).wait_takeover, 1, 'the retry for e5.0.4 (pos_integer too)')
})

t.test('the node name goes into the path raw (4.4 minirest matches the undecoded path)', async (t) => {
  t.equal(paths.evacuation('v4', 'emqx@10.0.0.1', 'start'), '/api/v4/load_rebalance/emqx@10.0.0.1/evacuation/start')
  t.equal(paths.evacuation('v5', 'emqx@host-1.example', 'stop'), '/api/v5/load_rebalance/emqx@host-1.example/evacuation/stop')
  t.equal(paths.evacuation('v5', 'a/b@c', 'stop'), '/api/v5/load_rebalance/a%2Fb@c/evacuation/stop', 'anything unusual is still escaped')
})

t.test('5.x answers', async (t) => {
  const c = (status: number, body: string, op: 'start' | 'stop' = 'start'): unknown => classifyEvacuationAnswer('v5', op, { status, body })
  t.same(c(200, '{}'), { ok: true, already: false })
  t.same(c(400, '{"code":"BAD_REQUEST","message":"error on node \'emqx@n1\': already_started"}'), { ok: true, already: true }, 'already_started is success for start')
  t.match(c(400, '{"code":"BAD_REQUEST","message":"error on node \'emqx@n1\': already_started"}', 'stop'), { ok: false, code: 'rejected' }, '...but not for stop')
  t.same(c(400, '{"code":"BAD_REQUEST","message":"error on node \'emqx@n1\': not_started"}', 'stop'), { ok: true, already: true }, 'not_started is success for stop')
  t.match(c(400, '{"code":"BAD_REQUEST","message":"error on node \'emqx@n1\': eviction_agent_busy"}'), { ok: false, code: 'rejected', message: /eviction_agent_busy/, httpStatus: 400 })
  t.match(c(404, 'Node not found: emqx@x'), { ok: false, code: 'node_not_found', message: /Node not found: emqx@x/ })
  t.match(c(404, '{"code":"NOT_FOUND","message":"Node not found: emqx@x"}'), { ok: false, code: 'node_not_found' })
  t.match(c(400, '{"code":"NOT_FOUND","message":"Nodes unavailable: [\'emqx@n9\']"}'), { ok: false, code: 'target_unavailable', message: /draining itself/ },
    'a migrate_to node that is not running or drains itself (available_nodes/1): its own code, not node_not_found')
  t.match(c(400, '{"code":"BAD_REQUEST","message":"Invalid nodes: [<<\\"emqx@nx\\">>]"}'), { ok: false, code: 'node_not_found' }, 'a name EMQX does not know')
  t.match(c(503, '{"code":"RPC_ERROR","message":"RPC error on node x: timeout"}'), { ok: false, code: 'rpc_error', httpStatus: 503 }, 'RPC_ERROR is an error')
  t.match(c(503, '<html>bad gateway</html>'), { ok: false, code: 'unexpected_answer', message: /503/ })
  t.match(c(401, '{"code":"BAD_API_KEY_OR_SECRET"}'), { ok: false, code: 'auth' })
})

t.test('4.4 answers: HTTP 200 with the error code in the body', async (t) => {
  const c = (status: number, body: string, op: 'start' | 'stop' = 'start'): unknown => classifyEvacuationAnswer('v4', op, { status, body })
  t.same(c(200, '{"data":[],"code":0}'), { ok: true, already: false })
  t.same(c(200, '{"code":400,"message":"already_started"}'), { ok: true, already: true })
  t.same(c(200, '{"code":400,"message":"not_started"}', 'stop'), { ok: true, already: true })
  t.match(c(200, '{"code":400,"message":"eviction_agent_busy"}'), { ok: false, code: 'rejected', httpStatus: 200 }, 'an error, although HTTP said 200')
  t.match(c(200, '{"code":400,"message":"Node not found: emqx@x"}'), { ok: false, code: 'node_not_found' })
  t.match(c(200, '{"code":400,"message":"unavailable nodes in migrate_to: [\'emqx@n9\']"}'), { ok: false, code: 'target_unavailable' })
  t.match(c(200, '{"code":400,"message":"no available nodes list in migrate_to: [\'emqx@n9\']"}'), { ok: false, code: 'target_unavailable' })
  t.match(c(200, 'not json'), { ok: false, code: 'unexpected_answer' })
  t.match(c(401, 'UNAUTHORIZED'), { ok: false, code: 'auth' })
})

for (const profile of ['v5', 'v5.3', 'v4.4.24', 'v4.4'] as SimProfile[]) {
  t.test(`${profile}: the client starts and stops the evacuation of the node EMQX names, with the right body`, async (t) => {
    // 4.4 before the wait phase refuses wait_health_check: the evacuator asks it without (test/state/evacuator.test.ts)
    const opts = profile === 'v4.4' ? { withoutWaitHealthCheck: true } : {}
    const v4 = profile.startsWith('v4')
    const sim = await startDouble(t, { profile, nodeName: 'emqx@10.0.0.1', timeScale: 0 })
    const { config } = loadServeConfig(['--emqx-url', sim.url, '--emqx-username', 'admin'], { SIDECAR_EMQX_PASSWORD: 'public' })
    const client = new EmqxClient(config.emqx)
    t.teardown(() => client.close())
    t.match(await client.evacuation('start', 'emqx@node-1', settings), { ok: false, code: 'no_api' }, 'nothing is sent before the API is detected')
    await client.check()
    const node = await client.nodeName()
    t.equal(node, 'emqx@10.0.0.1')
    t.same(await client.evacuation('start', node ?? '', settings, opts), { ok: true, already: false })
    const first = sim.evacuationRequests[0]
    t.same(first === undefined ? undefined : { op: first.op, node: first.node, body: first.body }, { op: 'start', node: 'emqx@10.0.0.1', body: evacuationBody(v4 ? 'v4' : 'v5', settings, opts) }, 'raw node name in the path')
    t.same(await client.evacuation('start', node ?? '', settings, opts), { ok: true, already: true }, 'already_started')
    t.same(await client.evacuation('stop', node ?? ''), { ok: true, already: false })
    t.same(await client.evacuation('stop', node ?? ''), { ok: true, already: true }, 'not_started')
    t.match(await client.evacuation('start', 'emqx@elsewhere', settings, opts), { ok: false, code: 'node_not_found' })
    await sim.setFault('rpc_error')
    t.match(await client.evacuation('start', node ?? '', settings, opts), !v4 ? { ok: false, code: 'rpc_error' } : { ok: false, code: 'rejected', message: /RPC error/ })
    await sim.setFault('refuse')
    t.match(await client.evacuation('start', node ?? '', settings, opts), { ok: false, code: 'transport', message: /ECONNREFUSED/ })
  })
}

t.test('without credentials EMQX refuses and the client says why', async (t) => {
  const sim = await startDouble(t, { profile: 'v5', timeScale: 0 })
  const { config } = loadServeConfig(['--emqx-url', sim.url], {})
  const client = new EmqxClient(config.emqx)
  t.teardown(() => client.close())
  await client.check()
  t.match(await client.evacuation('start', sim.nodeName, settings), { ok: false, code: 'auth', message: /credentials/ })
  t.equal(sim.process.kind, 'none')
})

t.test('4.4: an encoded node name is what EMQX 4.4 refuses (HTTP 200, in-body 400 "invalid node")', async (t) => {
  const sim = await startDouble(t, { profile: 'v4.4', nodeName: 'emqx@10.0.0.1', timeScale: 0 })
  const res = await fetch(`${sim.url}/api/v4/load_rebalance/emqx%4010.0.0.1/evacuation/start`, { method: 'POST', headers: { authorization: `Basic ${Buffer.from('admin:public').toString('base64')}`, 'content-type': 'application/json' }, body: '{"wait_takeover":10}' })
  t.equal(res.status, 200)
  t.match(await res.json(), { code: 400, message: /invalid node/ })
  t.equal(sim.process.kind, 'none')
})

t.test('a 403 on evacuation start: the API key lacks the cluster_operations scope (6.0.3+, 6.1.2+)', async (t) => {
  const body = '{"code":"UNAUTHORIZED_ROLE","message":"This API Key don\'t have permission to access this resource"}'
  t.match(classifyEvacuationAnswer('v5', 'start', { status: 403, body }), { ok: false, code: 'auth', httpStatus: 403, message: /cluster_operations scope/ })
  t.match(classifyEvacuationAnswer('v5', 'start', { status: 401, body: '{}' }), { ok: false, code: 'auth', message: /credentials/ })
})

t.test('a key without the cluster_operations scope (the double\'s scopes): status and evacuation say so, availability_check stays public', async (t) => {
  const sim = await startDouble(t, { profile: 'v5', nodeName: 'emqx@n1', timeScale: 0, scopes: ['monitoring'] })
  const { config } = loadServeConfig(['--emqx-url', sim.url, '--emqx-username', 'admin'], { SIDECAR_EMQX_PASSWORD: 'public' })
  const client = new EmqxClient(config.emqx)
  t.teardown(() => client.close())
  t.match(await client.check(), { outcome: { kind: 'available' } }, 'availability_check needs no key at all')
  t.match(await client.localRebalance(), { error: /403 on \/api\/v5\/load_rebalance\/status.*cluster_operations scope/ })
  t.match(await client.globalStatus(), { error: /cluster_operations scope/ })
  t.match(await client.evacuation('start', 'emqx@n1', settings), { ok: false, code: 'auth', message: /cluster_operations scope/ })
  t.equal(sim.process.kind, 'none')
})
