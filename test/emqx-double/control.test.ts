import t from 'tap'
import { request } from 'undici'
import { applyAction, applyFault, controlInterceptor, simState } from '../../src/emqx-double/control.js'
import { startDouble } from '../support/emqx-double.js'
import { waitFor } from '../support/wait.js'

async function call (url: string, method: 'GET' | 'POST' = 'POST'): Promise<{ status: number, doc: Record<string, unknown> }> {
  const res = await request(url, { method })
  return { status: res.statusCode, doc: await res.body.json() as Record<string, unknown> }
}

t.test('actions drive availability_check like the EMQX processes they stand for', async (t) => {
  const sim = await startDouble(t)
  t.equal((await applyAction(sim, 'evacuate')).status, 200)
  t.match(simState(sim), { availability_check: 503, process: 'evacuation', process_state: 'waiting_health_check' })
  t.match(await applyAction(sim, 'donor'), { status: 409, doc: { error: 'already_started' } }, 'one process at a time, as EMQX')
  await applyAction(sim, 'restore')
  t.match(simState(sim), { availability_check: 200, process: 'none' })
  await applyAction(sim, 'donor')
  t.match(simState(sim), { availability_check: 503, role: 'donor' })
  await applyAction(sim, 'restore')
  await applyAction(sim, 'recipient')
  t.match(simState(sim), { availability_check: 200, role: 'recipient' }, 'recipients keep taking connections')
  await applyAction(sim, 'restore')
  await applyAction(sim, 'stop-emqx')
  t.match(simState(sim), { emqx_running: false, available: false })
  await applyAction(sim, 'start-emqx')
  t.match(simState(sim), { emqx_running: true, available: true })
  await applyAction(sim, 'evacuate', new URLSearchParams({ wait_health_check: '10' }))
  t.match(sim.process, { params: { wait_health_check: 10 } })
})

t.test('faults: unknown names, bad durations and an endless refuse are refused', async (t) => {
  const sim = await startDouble(t)
  t.equal((await applyFault(sim, 'meltdown', null)).status, 404)
  t.equal((await applyFault(sim, 'hang', 'soon')).status, 400)
  t.equal((await applyFault(sim, 'refuse', null)).status, 400)
  const ok = await applyFault(sim, 'hang', null)
  t.equal(ok.status, 200)
  await ok.after?.()
  t.equal(sim.fault, 'hang')
})

t.test('the HTTP control interface lives on the simulator port and bypasses faults', async (t) => {
  const sim = await startDouble(t)
  const changes: string[] = []
  sim.intercept = controlInterceptor(sim, (w) => changes.push(w))
  const base = `${sim.url}/_sim`
  t.match(await call(`${base}/state`, 'GET'), { status: 200, doc: { availability_check: 200 } })
  t.match(await call(`${base}/evacuate`), { status: 200, doc: { availability_check: 503 } })
  const api = await request(`${sim.url}/api/v5/load_rebalance/availability_check`)
  await api.body.dump()
  t.equal(api.statusCode, 503, 'the EMQX API reflects the action')
  t.equal(sim.count('/_sim/evacuate'), 0, 'control calls are not counted as EMQX API requests')
  t.match(await call(`${base}/fault/5xx`), { status: 200, doc: { fault: '5xx' } })
  t.match(await call(`${base}/state`, 'GET'), { status: 200, doc: { fault: '5xx' } }, 'control still answers during a fault')
  t.match(await call(`${base}/evacuate`, 'GET'), { status: 405 })
  t.match(await call(`${base}/nonsense`), { status: 404 })
  t.match(await call(`${base}/restore`), { status: 200, doc: { availability_check: 200, fault: 'none' } })
  t.same(changes, ['evacuate', 'fault 5xx', 'restore'])
})

t.test('refuse with ?for closes the port, then opens it again by itself', async (t) => {
  const sim = await startDouble(t)
  sim.intercept = controlInterceptor(sim)
  t.match(await call(`${sim.url}/_sim/fault/refuse?for=300ms`), { status: 200, doc: { fault_for_ms: 300 } })
  await waitFor(async () => await request(`${sim.url}/status`).then(async (r) => { await r.body.dump(); return 'open' }, () => 'refused'), (s) => s === 'refused', { what: 'the port to refuse' })
  await waitFor(async () => await request(`${sim.url}/status`).then(async (r) => { await r.body.dump(); return 'open' }, () => 'refused'), (s) => s === 'open', { what: 'the port to come back', timeoutMs: 3000 })
  t.equal(sim.fault, 'none')
})
