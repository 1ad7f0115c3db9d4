import t from 'tap'
import { plan, shapeKey, UsageError } from '../../bench/lib/plan.js'

t.test('--loads runs only the named probe-serving loads, in the plan\'s order', async (t) => {
  const p = plan(['--loads', '1000k,100k,1000k@1000'], '/tmp/x.md')
  t.same(p.serving.shapes.map(shapeKey), ['1000k@1000', '100k', '1000k'])
  t.equal(plan([], '/tmp/x.md').serving.shapes.length, 9, 'all loads without it')
})

t.test('an unknown load is a usage error that lists the names', async (t) => {
  t.throws(() => plan(['--loads', '100k,7x'], '/tmp/x.md'), new UsageError('unknown load(s) 7x; loads: 1000k@1000, 1000n@1000, 1000k@5000, 1k, 100k, 1000k, 1n, 100n, 1000n'))
})
