import t from 'tap'
import { plan, SECTIONS, shapeKey, UsageError } from '../../bench/lib/plan.js'

t.test('--loads runs only the named probe-serving loads, in the plan\'s order', async (t) => {
  const p = plan(['--loads', '1000k,100k,1000k@1000'], '/tmp/x.md')
  t.same(p.serving.shapes.map(shapeKey), ['1000k@1000', '100k', '1000k'])
  t.equal(plan([], '/tmp/x.md').serving.shapes.length, 9, 'all loads without it')
})

t.test('an unknown load is a usage error that lists the names', async (t) => {
  t.throws(() => plan(['--loads', '100k,7x'], '/tmp/x.md'), new UsageError('unknown load(s) 7x; loads: 1000k@1000, 1000n@1000, 1000k@5000, 1k, 100k, 1000k, 1n, 100n, 1000n'))
})

t.test('probe cost: 1,000 and 10,000 probes/s over 100 keep-alive connections, 20 s measured, 3 runs; seconds in smoke mode', async (t) => {
  t.ok(SECTIONS.includes('probe-cost'))
  t.same(plan(['--only', 'probe-cost'], '/tmp/x.md').sections, new Set(['probe-cost']))
  t.same(plan([], '/tmp/x.md').probeCost, { rates: [1000, 10_000], connections: 100, warmupMs: 2000, durationMs: 20_000, runs: 3, settleMs: 30_000 })
  t.match(plan(['--smoke'], '/tmp/x.md').probeCost, { rates: [1000, 10_000], durationMs: 1000, runs: 1 })
  t.match(plan(['--duration', '20', '--runs', '5'], '/tmp/x.md').probeCost, { durationMs: 20_000, runs: 5 }, '--duration and --runs apply')
})

t.test('--node: the footprint\'s per-runtime rows and the storm run on each runtime given', async (t) => {
  const p = plan(['--node', '/a/node', '--node', '/b/node'], '/tmp/x.md')
  t.same(p.footprint.nodes, ['/a/node', '/b/node'])
  t.same(p.storm.nodes, ['/a/node', '/b/node'])
  t.same(plan([], '/tmp/x.md').footprint.nodes, [process.execPath])
})
