import t from 'tap'
import type { Test } from 'tap'
import { loadServeConfig } from '../../src/config/serve-config.js'
import { EmqxClient } from '../../src/emqx/client.js'
import { TOPOLOGY_RETRY_READS } from '../../src/emqx/membership-reader.js'
import { startDouble } from '../support/emqx-double.js'

const PEERS = ['emqx2@127.0.0.1', 'emqx3@127.0.0.1']

async function client (t: Test, url: string, creds = true): Promise<EmqxClient> {
  const args = ['--emqx-url', url, ...(creds ? ['--emqx-username', 'admin', '--emqx-password', 'public'] : [])]
  const c = new EmqxClient(loadServeConfig(args, {}).config.emqx)
  t.teardown(() => c.close())
  await c.check()
  return c
}

t.test('5.x: the running nodes, self and the role, through the detected API', async (t) => {
  const sim = await startDouble(t, { nodeName: 'emqx1@127.0.0.1', clusterPeers: PEERS })
  const c = await client(t, sim.url)
  t.match(await c.membership(undefined), {
    view: { self: 'emqx1@127.0.0.1', clusterName: 'emqxcl', running: ['emqx1@127.0.0.1', ...PEERS], cores: ['emqx1@127.0.0.1', ...PEERS], role: 'core' },
  })
  sim.cutOff()
  t.match(await c.membership(undefined), { view: { running: ['emqx1@127.0.0.1'], cores: ['emqx1@127.0.0.1'] } })
  t.ok(sim.authHeaders.slice(-2).every((h) => h?.startsWith('Basic ') === true), 'both reads carry the API key')
})

t.test('a replicant cut off from its cores: no core in its view', async (t) => {
  const sim = await startDouble(t, { nodeName: 'emqx-r@127.0.0.1', clusterPeers: PEERS, role: 'replicant' })
  const c = await client(t, sim.url)
  t.match(await c.membership(undefined), { view: { role: 'replicant', cores: PEERS } })
  sim.cutOff()
  t.match(await c.membership(undefined), { view: { role: 'replicant', cores: [], running: ['emqx-r@127.0.0.1'] } })
})

t.test('before e5.1.1 the topology is 404: roles unknown, asked again only every TOPOLOGY_RETRY_READS reads', async (t) => {
  const sim = await startDouble(t, { profile: 'v5.0.4', clusterPeers: PEERS })
  const c = await client(t, sim.url)
  const r = await c.membership(undefined)
  t.match(r, { view: { running: [...PEERS, 'emqx@127.0.0.1'], topologyNote: /404/ } })
  t.equal('view' in r ? r.view.cores : 'x', undefined, 'no topology: cores unknown, never "none"')
  for (let i = 1; i < TOPOLOGY_RETRY_READS + 1; i++) await c.membership(undefined)
  t.equal(sim.count('/api/v5/cluster/topology'), 2, 'the first read, then once more after the retry interval')
  t.equal(sim.count('/api/v5/cluster'), TOPOLOGY_RETRY_READS + 1)
})

t.test('4.4: the node list, self from the node status name', async (t) => {
  const sim = await startDouble(t, { profile: 'v4.4', nodeName: 'emqx1@127.0.0.1', clusterPeers: PEERS })
  const c = await client(t, sim.url)
  sim.cutOff()
  t.match(await c.membership('emqx1@127.0.0.1'), { view: { self: 'emqx1@127.0.0.1', running: ['emqx1@127.0.0.1'], stopped: PEERS } })
  t.equal(sim.count('/api/v5/cluster/topology'), 0, '4.4 is never asked for a topology')
})

t.test('unreadable: no credentials, 401, 403, garbage, a 5xx: an error text naming the path, never a view', async (t) => {
  const sim = await startDouble(t, { scopes: ['monitoring'] })
  t.match(await (await client(t, sim.url, false)).membership(undefined), { error: /no EMQX credentials/ })
  const c = await client(t, sim.url)
  t.match(await c.membership(undefined), { error: /\/api\/v5\/cluster: EMQX answered 403 \(.*cluster_operations/ })
  const other = await startDouble(t)
  const d = await client(t, other.url)
  await other.setFault('garbage', { path: 'cluster' })
  t.match(await d.membership(undefined), { error: /unrecognised answer/ })
  await other.setFault('5xx', { path: 'cluster' })
  t.match(await d.membership(undefined), { error: /EMQX answered 500/ })
  await other.setFault('auth_reject', { path: 'cluster' })
  t.match(await d.membership(undefined), { error: /EMQX answered 401/ })
  await other.setFault('hang', { path: 'cluster' })
  t.match(await d.membership(undefined), { error: /no complete answer from EMQX within/ })
})
