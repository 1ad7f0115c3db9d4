import t from 'tap'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { SidecarProber } from '../../src/nginx/probe.js'
import { NGINX_SYNC_USER_AGENT } from '../../src/checkers/rule.js'
import { CheckerTracker, type CheckerInfo, type Observation } from '../../src/checkers/tracker.js'

function tracker (over: Partial<ConstructorParameters<typeof CheckerTracker>[0]> = {}) {
  const slow: CheckerInfo[] = []
  const tr = new CheckerTracker({ maxCheckers: 10, ttlMs: 60_000, checkerFall: 3, budgetMs: 10_000, onSlowChecker: (c) => slow.push(c), ...over })
  return { tr, slow }
}
const probe = (source: string, at: number, available: boolean, kind: 'http' | 'agent' = 'http'): Observation =>
  ({ source, kind, available, answer: kind === 'http' ? (available ? '200' : '503') : (available ? 'up' : 'drain'), at })

t.test('checkers are identified by kind, source and user agent, with their interval', async (t) => {
  const { tr } = tracker()
  for (let i = 0; i < 5; i++) {
    tr.observe(probe('10.0.0.1', i * 1000, true))
    tr.observe({ ...probe('10.0.0.1', i * 2000, true), userAgent: 'kube-probe/1.30' })
    tr.observe(probe('10.0.0.1', i * 1000, true, 'agent'))
  }
  const views = tr.checkers(5000)
  t.equal(views.length, 3)
  t.match(views.find((c) => c.userAgent === 'kube-probe/1.30'), { intervalMs: 2000, probes: 5 })
  t.match(views.find((c) => c.kind === 'agent'), { intervalMs: 1000, fall: 1 })
})

t.test('answers before the drain began do not count', async (t) => {
  const { tr } = tracker()
  tr.observe(probe('lb1', 0, false))
  tr.observe(probe('lb1', 1000, false))
  tr.drainStarted(1500)
  tr.observe(probe('lb1', 2000, false))
  t.match(tr.checkers(2000)[0], { drainAnswers: 1, told: false })
})

t.test('warns once about a checker too slow for wait_health_check', async (t) => {
  const { tr, slow } = tracker({ budgetMs: 10_000 })
  for (let i = 0; i < 6; i++) tr.observe(probe('nlb', i * 30_000, true))
  t.equal(slow.length, 1)
  t.match(slow[0], { source: 'nlb', intervalMs: 30_000, detectionMs: 90_000, withinBudget: false })
})

t.test('memory stays bounded under many or spoofed sources', async (t) => {
  const { tr } = tracker({ maxCheckers: 100 })
  for (let i = 0; i < 10_000; i++) tr.observe({ ...probe(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, i, true), userAgent: 'x'.repeat(10_000) })
  t.equal(tr.size, 100)
  t.equal(tr.evicted, 9_900)
  t.ok(tr.checkers(10_000).every((c) => c.userAgent.length <= 64), 'user agents truncated')
})

t.test('checkers unseen for the ttl are forgotten', async (t) => {
  const { tr } = tracker({ ttlMs: 5000 })
  tr.observe(probe('old', 0, true))
  tr.observe(probe('new', 4000, true))
  t.same(tr.checkers(6000).map((c) => c.source), ['new'])
})

t.test('the least recently seen checker is the one forgotten: a probe moves its checker to the recent end', async (t) => {
  const { tr } = tracker({ maxCheckers: 3 })
  tr.observe(probe('a', 1000, true))
  tr.observe(probe('b', 2000, true))
  tr.observe(probe('c', 3000, true))
  tr.observe(probe('a', 4000, true)) // a is now the most recently seen
  tr.observe(probe('d', 5000, true)) // full: b goes, not a
  t.same(tr.checkers(5000).map((c) => c.source).sort(), ['a', 'c', 'd'])
  t.equal(tr.evicted, 1)
})

t.test('the ttl forgets a checker behind one seen again later (pruning walks the order of last probes)', async (t) => {
  const { tr } = tracker({ ttlMs: 5000 })
  tr.observe(probe('a', 0, true))
  tr.observe(probe('b', 1000, true))
  tr.observe(probe('a', 5500, true))
  t.same(tr.checkers(6500).map((c) => c.source), ['a'], 'b unseen for 5.5 s is gone though a was first seen before it')
})

t.test('nginx-sync sends the User-Agent the tracker knows it by', async (t) => {
  const seen: (string | undefined)[] = []
  const server = createServer((req, res) => { seen.push(req.headers['user-agent']); res.writeHead(503).end() })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { server.close() })
  const prober = new SidecarProber(2000, '/availability')
  t.teardown(async () => { await prober.close() })
  const port = (server.address() as AddressInfo).port
  t.same(await prober.probe({ address: '127.0.0.1:1883', sidecarUrl: new URL(`http://127.0.0.1:${port}`), params: [] }), { kind: 'unavailable', status: 503 })
  t.same(seen, [NGINX_SYNC_USER_AGENT])
})
