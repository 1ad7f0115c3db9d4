import t from 'tap'
import { membershipView, parseClusterInfo, parseTopology, parseV4Nodes } from '../../src/emqx/membership.js'

t.test('GET /api/v5/cluster: name, running nodes and self (get_cluster_info/0); description (5.8+) ignored', async (t) => {
  const body = JSON.stringify({ name: 'emqxcl', description: '', nodes: ['emqx@n1', 'emqx@n2'], self: 'emqx@n1' })
  t.same(parseClusterInfo(body), { name: 'emqxcl', nodes: ['emqx@n1', 'emqx@n2'], self: 'emqx@n1' })
  t.same(parseClusterInfo('{"nodes":["emqx@n1"],"self":"emqx@n1"}'), { nodes: ['emqx@n1'], self: 'emqx@n1' }, 'no name is still a view')
  for (const bad of ['nope', '[]', '{"nodes":["a"]}', '{"self":"a"}', '{"nodes":"a","self":"a"}', '{"nodes":[1],"self":"a"}', '{"nodes":["a"],"self":2}']) {
    t.equal(parseClusterInfo(bad), undefined, `not a cluster answer: ${bad}`)
  }
})

t.test('GET /api/v5/cluster/topology: one entry per running core with its replicants', async (t) => {
  const body = JSON.stringify([
    { core_node: 'emqx@c1', replicant_nodes: [{ node: 'emqx@r1', streams: 10 }, { node: 'emqx@r2', streams: 10 }] },
    { core_node: 'emqx@c2', replicant_nodes: [] },
  ])
  t.same(parseTopology(body), [{ core: 'emqx@c1', replicants: ['emqx@r1', 'emqx@r2'] }, { core: 'emqx@c2', replicants: [] }])
  t.same(parseTopology('[]'), [], 'no running core: an empty list, not garbage')
  t.same(parseTopology('[{"core_node":"emqx@c1"}]'), [{ core: 'emqx@c1', replicants: [] }], 'replicant_nodes missing: none')
  for (const bad of ['nope', '{}', '[{"replicant_nodes":[]}]', '[5]']) t.equal(parseTopology(bad), undefined, `not a topology: ${bad}`)
})

t.test('4.4 GET /api/v4/nodes: running (details failed included) and stopped nodes (list_nodes/0)', async (t) => {
  const body = JSON.stringify({
    code: 0,
    data: [
      { node: 'emqx@n1', node_status: 'Running', connections: 3, version: '4.4.19' },
      { node: 'emqx@n2', error: 'timeout' },
      { name: 'emqx@n3', node_status: 'Stopped' },
    ],
  })
  t.same(parseV4Nodes(body), { running: ['emqx@n1', 'emqx@n2'], stopped: ['emqx@n3'] })
  for (const bad of ['nope', '{"code":0}', '{"code":1,"data":[]}', '{"data":[]}']) t.equal(parseV4Nodes(bad), undefined, `not a node list: ${bad}`)
})

t.test('the view: self counted once among the running, roles from the topology', async (t) => {
  t.same(membershipView({ running: ['emqx@b', 'emqx@a'], self: 'emqx@a' }).running, ['emqx@a', 'emqx@b'], 'sorted, self not doubled')
  t.same(membershipView({ running: [], self: 'emqx@a' }).running, ['emqx@a'], 'a node that answered is running, even if its list forgets it')
  const topology = [{ core: 'emqx@c1', replicants: ['emqx@r1'] }]
  t.equal(membershipView({ running: ['emqx@c1', 'emqx@r1'], self: 'emqx@c1', topology }).role, 'core')
  t.equal(membershipView({ running: ['emqx@c1', 'emqx@r1'], self: 'emqx@r1', topology }).role, 'replicant')
  const alone = membershipView({ running: ['emqx@r1'], self: 'emqx@r1', topology: [] })
  t.same([alone.role, alone.cores], ['replicant', []], 'no running core in the view: only a replicant can see that')
  t.equal(membershipView({ running: ['emqx@x'], self: 'emqx@x', topology }).role, undefined, 'in neither list: unknown')
  t.equal(membershipView({ running: ['emqx@x'], self: 'emqx@x' }).cores, undefined, 'no topology: cores unknown, not none')
})
