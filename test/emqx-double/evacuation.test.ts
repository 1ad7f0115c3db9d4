import t from 'tap'
import { request } from 'undici'
import { EmqxDouble, startDouble } from '../support/emqx-double.js'

const AUTH = `Basic ${Buffer.from('admin:public').toString('base64')}`

async function call (sim: EmqxDouble, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number, json: Record<string, unknown> | string }> {
  const res = await request(sim.url + path, { method, headers: { authorization: AUTH, 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) })
  const text = await res.body.text()
  let json: Record<string, unknown> | string = text
  try { json = JSON.parse(text) as Record<string, unknown> } catch { /* text */ }
  return { status: res.statusCode, json }
}

const state = (sim: EmqxDouble): string => sim.process.kind === 'evacuation' ? sim.process.state : sim.process.kind

t.test('v5: waiting_health_check -> evicting_conns -> waiting_takeover -> evicting_sessions -> prohibiting, on simulated time', async (t) => {
  const sim = new EmqxDouble({ profile: 'v5', connections: 100, timeScale: 0 })
  sim.counts.disconnectedSessions = 20
  sim.counts.sessions = 120
  sim.startEvacuation({ wait_health_check: 10, conn_evict_rate: 50, wait_takeover: 5, sess_evict_rate: 10 })
  const seen: Array<[string, number, number, number]> = []
  const snap = (): void => { seen.push([state(sim), sim.counts.connections, sim.counts.sessions, sim.counts.disconnectedSessions]) }
  snap()
  sim.advance(9_999); snap()
  sim.advance(1); snap() // 10 s: eviction begins
  sim.advance(1_000); snap() // 50 evicted
  sim.advance(1_000); snap() // 100 evicted: takeover wait
  sim.advance(5_000); snap() // sessions eviction
  sim.advance(1_000); snap() // 10 of 20 sessions
  sim.advance(1_000); snap() // done
  sim.advance(60_000); snap() // prohibiting lasts until stopped
  t.same(seen, [
    ['waiting_health_check', 100, 120, 20],
    ['waiting_health_check', 100, 120, 20],
    ['evicting_conns', 100, 120, 20],
    ['evicting_conns', 50, 70, 20],
    ['waiting_takeover', 0, 20, 20],
    ['evicting_sessions', 0, 20, 20],
    ['evicting_sessions', 0, 10, 10],
    ['prohibiting', 0, 0, 0],
    ['prohibiting', 0, 0, 0],
  ])
  t.notOk(sim.available, 'availability 503 all along')
  sim.stopProcess()
  t.ok(sim.available)
})

t.test('a big step crosses several phases at once, at the right simulated times', async (t) => {
  const sim = new EmqxDouble({ profile: 'v5', connections: 10, timeScale: 0 })
  sim.startEvacuation({ wait_health_check: 1, conn_evict_rate: 10, wait_takeover: 1 })
  sim.advance(2_999)
  t.equal(state(sim), 'waiting_takeover', '1 s health check + 1 s eviction + 0.999 s of takeover')
  sim.advance(1)
  t.equal(state(sim), 'prohibiting', 'no disconnected sessions: straight through evicting_sessions')
})

t.test('4.4 and e5.0.4 start evicting at once (no waiting_health_check)', async (t) => {
  for (const profile of ['v4.4', 'v5.0.4'] as const) {
    const sim = new EmqxDouble({ profile, connections: 10, timeScale: 0 })
    sim.startEvacuation({ wait_health_check: 60, conn_evict_rate: 5 })
    t.equal(state(sim), 'evicting_conns', profile)
    sim.advance(1000)
    t.equal(sim.counts.connections, 5, `${profile}: 5 per second`)
  }
})

t.test('4.4.24+ holds its own wait (the wait health check phase of its release notes)', async (t) => {
  const sim = new EmqxDouble({ profile: 'v4.4.24', connections: 10, timeScale: 0 })
  sim.startEvacuation({ wait_health_check: 10, conn_evict_rate: 5 })
  t.equal(state(sim), 'waiting_health_check')
  t.notOk(sim.available, 'availability_check 503 from the start')
  sim.advance(10_000)
  t.equal(state(sim), 'evicting_conns')
})

t.test('e5.1-5.3 have waiting_health_check: 503 while connections are still accepted', async (t) => {
  const sim = new EmqxDouble({ profile: 'v5.3', connections: 10, timeScale: 0 })
  sim.startEvacuation({ wait_health_check: 10, conn_evict_rate: 5 })
  t.equal(state(sim), 'waiting_health_check')
  t.notOk(sim.available, 'availability_check 503 from the start')
  sim.advance(9_999)
  t.equal(sim.counts.connections, 10, 'nobody evicted yet')
  sim.advance(1_001)
  t.equal(state(sim), 'evicting_conns')
})

t.test('timeScale runs simulated time faster than the real clock', async (t) => {
  const sim = new EmqxDouble({ profile: 'v5', timeScale: 1000 })
  sim.startEvacuation({ wait_health_check: 1, wait_takeover: 1 })
  t.equal(state(sim), 'waiting_health_check')
  const started = performance.now()
  while (state(sim) !== 'prohibiting' && performance.now() - started < 2000) await new Promise((resolve) => setTimeout(resolve, 5))
  t.equal(state(sim), 'prohibiting', '2 simulated seconds pass in about 2 ms')
})

t.test('setProcessState forces a phase and time continues from there', async (t) => {
  const sim = new EmqxDouble({ profile: 'v5', connections: 4, timeScale: 0 })
  sim.startEvacuation({ conn_evict_rate: 2 })
  sim.setProcessState('evicting_conns')
  sim.advance(1000)
  t.equal(sim.counts.connections, 2)
  sim.setProcessState('custom_state')
  sim.advance(100_000)
  t.equal(state(sim), 'custom_state', 'unknown states do not move')
})

for (const profile of ['v5', 'v4.4'] as const) {
  t.test(`${profile}: the HTTP API: start, already_started, status, stop, not_started, node not found, RPC_ERROR`, async (t) => {
    const sim = await startDouble(t, { profile, nodeName: 'emqx@n1', connections: 3, timeScale: 0 })
    const v = profile === 'v5' ? 'v5' : 'v4'
    const base = `/api/${v}/load_rebalance`
    const ok = profile === 'v5' ? {} : { data: [], code: 0 }
    const err = (status: number, code: string, message: string): { status: number, json: unknown } =>
      profile === 'v5' ? { status, json: { code, message } } : { status: 200, json: { code: 400, message } }

    t.same(await call(sim, 'POST', `${base}/emqx@n1/evacuation/start`, profile === 'v5' ? { wait_health_check: '10s', conn_evict_rate: 1, wait_takeover: '2s', migrate_to: ['emqx@n2'] } : { conn_evict_rate: 1, wait_takeover: 2 }), { status: 200, json: ok })
    t.match(sim.process, { kind: 'evacuation', params: { conn_evict_rate: 1, wait_takeover: 2, ...(profile === 'v5' ? { wait_health_check: 10, migrate_to: ['emqx@n2'] } : {}) } })
    t.same(await call(sim, 'POST', `${base}/emqx@n1/evacuation/start`, {}), err(400, 'BAD_REQUEST', "error on node 'emqx@n1': already_started"))
    t.equal((await call(sim, 'GET', `${base}/availability_check`)).status, 503)
    sim.advance(profile === 'v5' ? 11_000 : 1_000)
    t.match((await call(sim, 'GET', `${base}/status`)).json, { status: 'enabled', process: 'evacuation', state: 'evicting_conns', stats: { initial_connected: 3, current_connected: 2 } })
    t.same(await call(sim, 'POST', `${base}/emqx@n1/evacuation/stop`), { status: 200, json: ok })
    t.equal((await call(sim, 'GET', `${base}/availability_check`)).status, 200)
    t.same(await call(sim, 'POST', `${base}/emqx@n1/evacuation/stop`), err(400, 'BAD_REQUEST', "error on node 'emqx@n1': not_started"))

    const nf = await call(sim, 'POST', `${base}/emqx@other/evacuation/start`, {})
    if (profile === 'v5') t.same(nf, { status: 404, json: { code: 'NOT_FOUND', message: 'Node not found: emqx@other' } }, '404 as JSON')
    else t.same(nf, { status: 200, json: { code: 400, message: 'invalid node: emqx@other' } })

    await sim.setFault('rpc_error')
    t.same(await call(sim, 'POST', `${base}/emqx@n1/evacuation/start`, {}), err(503, 'RPC_ERROR', "RPC error on node 'emqx@n1': timeout"))
    t.equal(sim.process.kind, 'none', 'nothing started')
    t.equal((await call(sim, 'GET', `${base}/availability_check`)).status, 200, 'RPC_ERROR is not an availability answer')
    await sim.setFault('none')

    sim.becomeDonor()
    t.same(await call(sim, 'POST', `${base}/emqx@n1/evacuation/start`, {}), err(400, 'BAD_REQUEST', "error on node 'emqx@n1': eviction_agent_busy"))
    t.same(sim.evacuationRequests.map((r) => `${r.op} ${r.node}`), ['start emqx@n1', 'start emqx@n1', 'stop emqx@n1', 'stop emqx@n1', 'start emqx@other', 'start emqx@n1', 'start emqx@n1'])
  })
}

t.test('the requested wait_health_check is the timeline: 0 evicts at once (as EMQX\'s 0 s state_timeout), 3 waits 3 s', async (t) => {
  const sim = await startDouble(t, { profile: 'v5', nodeName: 'emqx@n1', connections: 5, timeScale: 0 })
  const base = '/api/v5/load_rebalance'
  t.equal((await call(sim, 'POST', `${base}/emqx@n1/evacuation/start`, { wait_health_check: 0, conn_evict_rate: 1, wait_takeover: 1 })).status, 200)
  t.equal(state(sim), 'evicting_conns', 'no waiting_health_check with 0')
  const req = sim.evacuationRequests.at(-1)
  t.ok(req !== undefined && sim.evictionBeganAt !== undefined && sim.evictionBeganAt - req.at < 100, 'eviction begins when asked')
  await call(sim, 'POST', `${base}/emqx@n1/evacuation/stop`)
  t.equal(sim.evictionBeganAt, undefined)
  t.equal((await call(sim, 'POST', `${base}/emqx@n1/evacuation/start`, { wait_health_check: 3, conn_evict_rate: 1, wait_takeover: 1 })).status, 200)
  t.equal(state(sim), 'waiting_health_check')
  sim.advance(2999)
  t.equal(state(sim), 'waiting_health_check')
  sim.advance(1)
  t.equal(state(sim), 'evicting_conns', 'after exactly the 3 s asked for')
})

t.test('evictionBeganAt follows the real clock: start + wait_health_check / timeScale', async (t) => {
  const sim = new EmqxDouble({ profile: 'v5', timeScale: 10 })
  const before = Date.now()
  sim.startEvacuation({ wait_health_check: 20 })
  t.ok((sim.evictionBeganAt ?? 0) - before >= 2000 && (sim.evictionBeganAt ?? 0) - before < 2100)
  const v44 = new EmqxDouble({ profile: 'v4.4' })
  v44.startEvacuation({ wait_health_check: 20 })
  t.ok((v44.evictionBeganAt ?? Infinity) - Date.now() <= 0, '4.4 evicts at once')
})

t.test('v5.8: durable sessions count in every session count, eviction cannot reduce them, evicting_sessions lasts', async (t) => {
  const sim = new EmqxDouble({ profile: 'v5.8', connections: 10, timeScale: 0 })
  t.equal(sim.counts.durableSessions, 5, 'the profile has 5 disconnected durable sessions')
  t.equal(sim.counts.sessions, 15)
  sim.counts.disconnectedSessions = 4
  sim.counts.sessions = 19
  sim.startEvacuation({ wait_health_check: 1, conn_evict_rate: 10, wait_takeover: 1, sess_evict_rate: 10 })
  const status = (): Record<string, unknown> => JSON.parse(sim.route('GET', '/api/v5/load_rebalance/status', AUTH, '').body) as Record<string, unknown>
  t.match(status(), { state: 'waiting_health_check', stats: { initial_sessions: 19, current_sessions: 19 } })
  sim.advance(3_000)
  t.match(status(), { state: 'evicting_sessions', stats: { current_connected: 0, current_sessions: 9 } }, 'connections gone with their sessions')
  sim.advance(1_000)
  t.match(status(), { state: 'evicting_sessions', stats: { current_connected: 0, current_sessions: 5 } }, 'the movable ones moved')
  sim.advance(600_000)
  t.match(status(), { state: 'evicting_sessions', stats: { current_sessions: 5 } }, 'the durable ones stay: EMQX never reaches prohibiting')
  t.equal(new EmqxDouble({ profile: 'v5.8', durableSessions: 0 }).counts.durableSessions, 0, 'the count can be set')
  t.equal(new EmqxDouble({ profile: 'v5' }).counts.durableSessions, 0, 'v5 has none unless told')
})
