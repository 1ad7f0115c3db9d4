import t from 'tap'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { parseNodesFlag } from '../../src/nginx/nodes.js'
import { renderNjsState, staleAfterMs, writeNjsState } from '../../src/nginx/njs-state.js'

const { nodes } = parseNodesFlag('10.0.0.1:1883 http://10.0.0.1:9183 weight=3 max_fails=2, 10.0.0.2:1883 http://10.0.0.2:9183, [::1]:1883 http://[::1]:9183', 'test')
const avail = (...up: boolean[]): Map<string, boolean> => new Map(nodes.map((n, i) => [n.address, up[i] === true]))

t.test('every node with its weight (nginx default 1) and availability; a node without an answer is unavailable', async (t) => {
  const s = renderNjsState(nodes, new Map([['10.0.0.1:1883', true], ['10.0.0.2:1883', false]]), { balance: 'least_conn', staleAfterMs: 6000 }, 1234)
  t.same(s, {
    version: 1,
    writtenAt: 1234,
    staleAfterMs: 6000,
    balance: 'random',
    failsafe: false,
    nodes: [{ address: '10.0.0.1:1883', weight: 3, available: true }, { address: '10.0.0.2:1883', weight: 1, available: false }, { address: '[::1]:1883', weight: 1, available: false }],
  })
  t.equal(renderNjsState(nodes, avail(true, true, true), { balance: 'hash_remote_addr', staleAfterMs: 1 }, 0).balance, 'hash_remote_addr')
})

t.test('every node unavailable is flagged as fail-safe (njs then uses all of them)', async (t) => {
  t.equal(renderNjsState(nodes, avail(false, false, false), { balance: 'random', staleAfterMs: 1 }, 0).failsafe, true)
  t.equal(renderNjsState(nodes, avail(false, true, false), { balance: 'random', staleAfterMs: 1 }, 0).failsafe, false)
})

t.test('stale after three rounds of poll interval + probe timeout', async (t) => {
  t.equal(staleAfterMs(1000, 1000), 6000)
  t.equal(staleAfterMs(100, 300), 1200)
})

t.test('written atomically and world-readable even under umask 077 (nginx workers run as another user)', async (t) => {
  const dir = t.testdir()
  const path = join(dir, 'state.json')
  const old = process.umask(0o077)
  t.teardown(() => { process.umask(old) })
  const s = renderNjsState(nodes, avail(true, false, true), { balance: 'random', staleAfterMs: 6000 }, 99)
  await writeNjsState(path, s)
  await writeNjsState(path, { ...s, writtenAt: 100 })
  t.same(JSON.parse(readFileSync(path, 'utf8')), { ...s, writtenAt: 100 })
  t.equal(statSync(path).mode & 0o777, 0o644)
  t.same(readdirSync(dir), ['state.json'], 'no temporary file left behind')
  await t.rejects(writeNjsState(join(dir, 'missing', 'state.json'), s), { code: 'ENOENT' })
  t.same(readdirSync(dir), ['state.json'])
})
