import t from 'tap'
import { request } from 'undici'
import { applyFault } from '../../src/emqx-double/control.js'
import { controlInterceptor } from '../../src/emqx-double/control.js'
import { EmqxDouble, startDouble } from '../support/emqx-double.js'

const BASIC = (u: string, p: string): string => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`
const AUTH = BASIC('admin', 'public')

async function get (url: string, auth?: string): Promise<{ status: number, body: string, json: unknown }> {
  const res = await request(url, { headers: auth !== undefined ? { authorization: auth } : {}, headersTimeout: 2000, bodyTimeout: 2000 })
  const body = await res.body.text()
  let json: unknown
  try { json = JSON.parse(body) } catch { json = undefined }
  return { status: res.statusCode, body, json }
}

t.test('4.4 has two listeners: management (AppID auth, text /status) and dashboard (dashboard login, no /status)', async (t) => {
  const sim = await startDouble(t, { profile: 'v4.4', nodeName: 'emqx@10.0.0.1', dashboardUser: { username: 'boss', password: 'pw' } })
  const dash = sim.dashboardUrl ?? ''
  t.not(dash, '', 'a dashboard listener')
  t.match(await get(`${sim.url}/status?format=json`), { status: 200, body: 'Node emqx@10.0.0.1 is started\nemqx is running' }, '4.4 /status is text only')
  t.match(await get(`${dash}/status`), { status: 404 }, 'no /status on the dashboard')
  t.match(await get(`${dash}/api/v4/load_rebalance/availability_check`), { status: 401, body: 'UNAUTHORIZED' })
  t.match(await get(`${dash}/api/v4/load_rebalance/availability_check`, AUTH), { status: 401 }, 'AppID credentials are not a dashboard login')
  t.match(await get(`${dash}/api/v4/load_rebalance/availability_check`, BASIC('boss', 'pw')), { status: 200, json: {} })
  t.match(await get(`${dash}/api/v5/load_rebalance/availability_check`), { status: 401, body: 'UNAUTHORIZED' }, 'login before routing')
  t.match(await get(`${sim.url}/api/v4/load_rebalance/availability_check`, AUTH), { status: 200, json: {} })
})

t.test('open-source 4.4: 401 before 404 without credentials', async (t) => {
  const sim = await startDouble(t, { profile: 'oss-v4.4' })
  t.match(await get(`${sim.url}/api/v4/load_rebalance/availability_check`), { status: 401, body: 'UNAUTHORIZED' })
  t.match(await get(`${sim.url}/api/v4/load_rebalance/availability_check`, AUTH), { status: 404 })
  t.match(await get(`${sim.url}/status`), { status: 200 })
})

t.test('status fields per process exactly as EMQX sends them', async (t) => {
  const sim = new EmqxDouble({ profile: 'v5', connections: 10, timeScale: 0 })
  const status = (): Record<string, unknown> => JSON.parse(sim.route('GET', '/api/v5/load_rebalance/status', AUTH, '').body) as Record<string, unknown>
  sim.counts.disconnectedSessions = 4
  sim.counts.sessions = 14
  sim.startEvacuation({ wait_health_check: 1, conn_evict_rate: 10, wait_takeover: 1, sess_evict_rate: 10 })
  const evac = status()
  t.notOk('disconnected_session_goal' in evac, 'an evacuation has no disconnected_session_goal')
  t.same(Object.keys(evac.stats as object).sort(), ['current_connected', 'current_sessions', 'initial_connected', 'initial_sessions'], 'nor current_disconnected_sessions')
  sim.advance(1500)
  t.match(status(), { state: 'evicting_conns', stats: { current_connected: 5, current_sessions: 14 } }, 'current_sessions is stale (the start count) while evicting connections')
  sim.advance(600)
  t.match(status(), { state: 'waiting_takeover', stats: { current_connected: 0, current_sessions: 14 } }, '...and while waiting for takeover')
  sim.setProcessState('evicting_sessions')
  t.match(status(), { state: 'evicting_sessions', stats: { current_sessions: 4 } }, 'refreshed in evicting_sessions (4 disconnected sessions left)')

  sim.stopProcess()
  sim.startPurge()
  const purge = status()
  t.same(Object.keys(purge.stats as object).sort(), ['current_sessions', 'initial_sessions'], "a purge's stats hold only session counts")

  sim.stopProcess()
  sim.becomeDonor()
  t.notOk('connection_goal' in status(), "a donor's connection_goal is not there in wait_health_check")
  sim.setProcessState('evicting_conns')
  t.match(status(), { connection_goal: Number, stats: { current_disconnected_sessions: Number } }, 'it appears once eviction starts')
  const global = (): Record<string, unknown> =>
    (JSON.parse(sim.route('GET', '/api/v5/load_rebalance/global_status', AUTH, '').body) as { rebalances: Array<Record<string, unknown>> }).rebalances[0] ?? {}
  for (const state of ['evicting_conns', 'wait_takeover']) {
    sim.setProcessState(state)
    t.notOk('disconnected_session_goal' in status(), `${state}: no disconnected_session_goal yet (evict_sessions/1 sets it)`)
    t.notOk('disconnected_session_goal' in global() || 'donor_sess_avg' in global(), `${state}: nor in global_status`)
    t.match(global(), { connection_goal: Number, donor_conn_avg: Number })
  }
  sim.setProcessState('evicting_sessions')
  t.match(status(), { connection_goal: Number, disconnected_session_goal: Number }, 'evicting_sessions: both')
  t.match(global(), { disconnected_session_goal: Number, donor_sess_avg: Number })
})

t.test('faults on one path: availability hangs while /status answers, and the reverse (also through /_sim)', async (t) => {
  const sim = await startDouble(t, { profile: 'v5' })
  sim.intercept = controlInterceptor(sim)
  const set = await request(`${sim.url}/_sim/fault/hang?path=availability`, { method: 'POST' })
  t.match(await set.body.json(), { fault: 'hang', fault_path: 'availability' })
  t.match(await get(`${sim.url}/api/v5/status`), { status: 200 }, 'node status answers')
  await t.rejects(get(`${sim.url}/api/v5/load_rebalance/availability_check`), 'availability_check hangs')
  await sim.setFault('hang', { path: 'status' })
  t.match(await get(`${sim.url}/api/v5/load_rebalance/availability_check`), { status: 200 })
  await t.rejects(get(`${sim.url}/status`), 'node status hangs')
  t.match(await applyFault(sim, 'refuse', '1s', false, 'status'), { status: 400 }, 'refuse closes the whole listener: no path')
  t.match(await applyFault(sim, 'hang', null, false, 'elsewhere'), { status: 400 })
})

t.test('404 "Node not found" as JSON (5.x)', async (t) => {
  const sim = new EmqxDouble({ profile: 'v5', nodeName: 'emqx@a' })
  const a = sim.route('POST', '/api/v5/load_rebalance/emqx@b/evacuation/start', AUTH, '{}')
  t.equal(a.status, 404)
  t.same(JSON.parse(a.body), { code: 'NOT_FOUND', message: 'Node not found: emqx@b' })
})

t.test('start bodies: e5.0.4 refuses wait_health_check and string durations; e5.1.0 refuses a string wait_takeover; 5.4+ takes both', async (t) => {
  const start = (profile: 'v5' | 'v5.3' | 'v5.0.4', body: unknown): { status: number, body: string } => {
    const sim = new EmqxDouble({ profile, nodeName: 'emqx@a' })
    return sim.route('POST', '/api/v5/load_rebalance/emqx@a/evacuation/start', AUTH, JSON.stringify(body))
  }
  t.match(start('v5.0.4', { wait_health_check: 10, wait_takeover: 10 }), { status: 400, body: /wait_health_check/ })
  t.match(start('v5.0.4', { wait_takeover: '10s' }), { status: 400 })
  t.match(start('v5.0.4', { wait_takeover: 10 }), { status: 200 })
  t.match(start('v5.3', { wait_health_check: 10, wait_takeover: '10s' }), { status: 400 })
  t.match(start('v5.3', { wait_health_check: 10, wait_takeover: 10 }), { status: 200 })
  t.match(start('v5', { wait_health_check: '10s', wait_takeover: '10s' }), { status: 200 })
  t.match(start('v5', { wait_health_check: 10, wait_takeover: 10 }), { status: 200 })
  t.match(start('v5', { wait_health_check: 10, wait_takeover: 0 }), { status: 200 }, 'e5.1.1+: wait_takeover 0 is legal')
  t.match(start('v5.3', { wait_health_check: 10, wait_takeover: 0 }), { status: 400, body: /wait_takeover/ }, 'e5.1.0: a pos_integer')
  for (const profile of ['v5', 'v5.3', 'v5.0.4'] as const) {
    t.match(start(profile, { wait_takeover: 10, bogus: 1 }), { status: 400, body: /unknown_fields/ }, `${profile}: hocon_tconf refuses an unknown field`)
  }
})

t.test('4.4 start bodies (validate_evacuation_param/1): 4.4 refuses wait_health_check in-body, 4.4.24+ takes it as a positive integer', async (t) => {
  const start = (profile: 'v4.4' | 'v4.4.24', body: unknown): { status: number, json: unknown } => {
    const sim = new EmqxDouble({ profile, nodeName: 'emqx@a' })
    const a = sim.route('POST', '/api/v4/load_rebalance/emqx@a/evacuation/start', AUTH, JSON.stringify(body))
    return { status: a.status, json: JSON.parse(a.body) }
  }
  t.same(start('v4.4', { wait_health_check: 0, wait_takeover: 10 }), { status: 200, json: { code: 400, message: 'Unknown evacuation param: {<<"wait_health_check">>,0}' } })
  t.same(start('v4.4', { wait_takeover: 0 }), { status: 200, json: { code: 400, message: 'invalid wait_takeover value' } })
  t.match(start('v4.4', { wait_takeover: 10 }), { status: 200, json: { code: 0 } })
  t.same(start('v4.4.24', { wait_health_check: 0, wait_takeover: 10 }), { status: 200, json: { code: 400, message: 'invalid wait_health_check value' } },
    '4.4.24+: validate_pos_int, as its rebalance start')
  t.match(start('v4.4.24', { wait_health_check: 1, wait_takeover: 10 }), { status: 200, json: { code: 0 } })
  t.match(start('v4.4.24', { wait_health_check: 10, bogus: 'x' }), { status: 200, json: { code: 400, message: 'Unknown evacuation param: {<<"bogus">>,<<"x">>}' } })
})

t.test('purges: the coordinator answers 503; the other nodes 500 on e5.1-5.3 (availability from local_status), 503 from 5.4', async (t) => {
  const avail = (sim: EmqxDouble): { status: number, body: string } => sim.route('GET', '/api/v5/load_rebalance/availability_check', AUTH, '')
  const status = (sim: EmqxDouble): number => sim.route('GET', '/api/v5/load_rebalance/status', AUTH, '').status
  for (const profile of ['v5.3', 'v5'] as const) {
    const coordinator = new EmqxDouble({ profile, nodeName: 'emqx@n1' })
    coordinator.startPurge()
    t.equal(avail(coordinator).status, 503, `${profile}: the coordinator`)
    t.equal(status(coordinator), 200)
    const other = new EmqxDouble({ profile, nodeName: 'emqx@n2' })
    other.startPurge('emqx@n1')
    t.match(avail(other), profile === 'v5.3' ? { status: 500, body: /function_clause/ } : { status: 503, body: /NODE_EVACUATING/ }, `${profile}: another node`)
    t.equal(other.availabilityStatus, profile === 'v5.3' ? 500 : 503)
    t.equal(status(other), 500, `${profile}: local status crashes in local_rebalance/2 on the other nodes`)
    const global = JSON.parse(other.route('GET', '/api/v5/load_rebalance/global_status', AUTH, '').body) as { purges: Array<{ node: string }> }
    t.same(global.purges.map((p) => p.node), ['emqx@n1'], `${profile}: global_status names the coordinator`)
  }
})
