import t from 'tap'
import { applyAction, simState } from '../../src/emqx-double/control.js'
import { startDouble, type SimProfile } from '../support/emqx-double.js'

const AUTH = `Basic ${Buffer.from('admin:public').toString('base64')}`
const PEERS = ['emqx2@127.0.0.1', 'emqx3@127.0.0.1']

t.test('5.x GET /api/v5/cluster: the running nodes this node sees and itself, behind the API key', async (t) => {
  const sim = await startDouble(t, { nodeName: 'emqx1@127.0.0.1', clusterPeers: PEERS })
  const a = sim.route('GET', '/api/v5/cluster', AUTH, '')
  t.equal(a.status, 200)
  t.same(JSON.parse(a.body), { name: 'emqxcl', nodes: ['emqx1@127.0.0.1', ...PEERS], self: 'emqx1@127.0.0.1' })
  t.equal(a.headers?.['content-type'], 'application/json')
  const anon = sim.route('GET', '/api/v5/cluster', undefined, '')
  t.equal(anon.status, 401, 'no key: 401, as every non-public route of 5.x')
  t.equal(anon.headers?.['www-authenticate'], 'Basic Realm="emqx-dashboard"')
  sim.cutOff()
  t.same(JSON.parse(sim.route('GET', '/api/v5/cluster', AUTH, '').body).nodes, ['emqx1@127.0.0.1'], 'cut off: only itself')
  t.ok(sim.losePeer() === false, 'no peer left to lose')
  sim.rejoin()
  t.ok(sim.losePeer())
  t.same(JSON.parse(sim.route('GET', '/api/v5/cluster', AUTH, '').body).nodes, ['emqx1@127.0.0.1', 'emqx2@127.0.0.1'], 'one peer fewer')
})

t.test('6.0.3+: a key without the cluster_operations scope gets 403 on the cluster routes', async (t) => {
  const sim = await startDouble(t, { scopes: ['monitoring'] })
  for (const path of ['/api/v5/cluster', '/api/v5/cluster/topology']) {
    const a = sim.route('GET', path, AUTH, '')
    t.equal(a.status, 403, path)
    t.match(JSON.parse(a.body), { code: 'UNAUTHORIZED_ROLE' })
  }
})

t.test('topology: a core lists itself and the cores it sees; a replicant cut off from every core sees []', async (t) => {
  const core = await startDouble(t, { nodeName: 'emqx1@127.0.0.1', clusterPeers: PEERS })
  t.same(JSON.parse(core.route('GET', '/api/v5/cluster/topology', AUTH, '').body).map((e: { core_node: string }) => e.core_node),
    ['emqx1@127.0.0.1', ...PEERS])
  core.cutOff()
  t.same(JSON.parse(core.route('GET', '/api/v5/cluster/topology', AUTH, '').body), [{ core_node: 'emqx1@127.0.0.1', replicant_nodes: [] }],
    'a core always sees itself')
  const rep = await startDouble(t, { nodeName: 'emqx-r@127.0.0.1', clusterPeers: PEERS, role: 'replicant' })
  t.same(JSON.parse(rep.route('GET', '/api/v5/cluster/topology', AUTH, '').body), [
    { core_node: 'emqx2@127.0.0.1', replicant_nodes: [{ node: 'emqx-r@127.0.0.1', streams: 10 }] },
    { core_node: 'emqx3@127.0.0.1', replicant_nodes: [] },
  ])
  rep.cutOff()
  t.same(JSON.parse(rep.route('GET', '/api/v5/cluster/topology', AUTH, '').body), [])
  t.same(JSON.parse(rep.route('GET', '/api/v5/cluster', AUTH, '').body).nodes, ['emqx-r@127.0.0.1'])
})

t.test('per profile: topology only from e5.1.1 (404 on v5.3, v5.0.4 and oss); open-source 5.x has the cluster route too', async (t) => {
  const expected: Record<SimProfile, [number, number]> = {
    v5: [200, 200], 'v5.8': [200, 200], 'v6.3': [200, 200], 'v5.3': [200, 404], 'v5.0.4': [200, 404], oss: [200, 404], 'v4.4': [404, 404], 'v4.4.24': [404, 404], 'oss-v4.4': [404, 404],
  }
  for (const [profile, [cluster, topology]] of Object.entries(expected) as Array<[SimProfile, [number, number]]>) {
    const sim = await startDouble(t, { profile })
    t.equal(sim.route('GET', '/api/v5/cluster', AUTH, '').status, cluster, `${profile} /api/v5/cluster`)
    t.equal(sim.route('GET', '/api/v5/cluster/topology', AUTH, '').status, topology, `${profile} topology`)
  }
  const old = await startDouble(t, { profile: 'v5.0.4' })
  t.equal(old.route('GET', '/api/v5/cluster/topology', undefined, '').status, 404, 'a missing route is 404 before any auth on 5.x')
})

t.test('4.4 GET /api/v4/nodes: running nodes with details, the others Stopped; AppID needed (both listeners)', async (t) => {
  for (const profile of ['v4.4', 'v4.4.24', 'oss-v4.4'] as const) {
    const sim = await startDouble(t, { profile, nodeName: 'emqx1@127.0.0.1', clusterPeers: PEERS, connections: 4 })
    t.equal(sim.route('GET', '/api/v4/nodes', undefined, '').status, 401, `${profile}: no AppID, 401`)
    const doc = JSON.parse(sim.route('GET', '/api/v4/nodes', AUTH, '').body)
    t.equal(doc.code, 0)
    t.same(doc.data.map((n: { node?: string, node_status: string }) => [n.node, n.node_status]),
      [['emqx1@127.0.0.1', 'Running'], ['emqx2@127.0.0.1', 'Running'], ['emqx3@127.0.0.1', 'Running']])
    t.equal(doc.data[0].connections, 4)
    sim.cutOff()
    const cut = JSON.parse(sim.route('GET', '/api/v4/nodes', AUTH, '').body)
    t.same(cut.data, [cut.data[0], { name: 'emqx2@127.0.0.1', node_status: 'Stopped' }, { name: 'emqx3@127.0.0.1', node_status: 'Stopped' }],
      `${profile}: cut off, mnesia still knows the peers as stopped`)
  }
  const sim = await startDouble(t, { profile: 'v4.4' })
  const dash = async (auth?: string): Promise<number> =>
    (await fetch(`${sim.dashboardUrl ?? ''}/api/v4/nodes`, { headers: auth !== undefined ? { authorization: auth } : {} })).status
  t.equal(await dash(), 401, 'the 4.4 dashboard listener: its own login first')
  t.equal(await dash(AUTH), 200, 'then the same node list')
})

t.test('control: cut-off, lose-peer and rejoin; restore rejoins too; the state shows the view', async (t) => {
  const sim = await startDouble(t, { nodeName: 'emqx1@127.0.0.1', clusterPeers: PEERS })
  t.match(simState(sim), { cluster_role: 'core', cluster_peers: PEERS, cluster_seen: PEERS })
  t.match(await applyAction(sim, 'lose-peer'), { status: 200, doc: { cluster_seen: ['emqx2@127.0.0.1'] } })
  t.match(await applyAction(sim, 'cut-off'), { status: 200, doc: { cluster_seen: [] } })
  t.match(await applyAction(sim, 'lose-peer'), { status: 409, doc: { error: 'peer_not_seen' } })
  await applyAction(sim, 'rejoin')
  t.match(await applyAction(sim, 'lose-peer', new URLSearchParams({ node: 'emqx2@127.0.0.1' })), { status: 200, doc: { cluster_seen: ['emqx3@127.0.0.1'] } })
  t.match(await applyAction(sim, 'lose-peer', new URLSearchParams({ node: 'emqx2@127.0.0.1' })), { status: 409 }, 'not seen already')
  t.match(await applyAction(sim, 'rejoin'), { status: 200, doc: { cluster_seen: PEERS } })
  await applyAction(sim, 'cut-off')
  t.match(await applyAction(sim, 'restore'), { status: 200, doc: { cluster_seen: PEERS } })
  t.equal(sim.availabilityStatus, 200, 'being cut off changes nothing of availability_check: EMQX never looks at membership')
  await applyAction(sim, 'cut-off')
  t.equal(sim.availabilityStatus, 200)
})

t.test('the cluster fault scope hits only the cluster view', async (t) => {
  const sim = await startDouble(t)
  await sim.setFault('5xx', { path: 'cluster' })
  const get = async (path: string): Promise<number> => (await fetch(`${sim.url}${path}`, { headers: { authorization: AUTH } })).status
  t.equal(await get('/api/v5/cluster'), 500)
  t.equal(await get('/api/v5/cluster/topology'), 500)
  t.equal(await get('/api/v5/load_rebalance/availability_check'), 200)
})
