import { readFileSync } from 'node:fs'
import t from 'tap'
import { pino } from 'pino'
import { ArrivalWatch } from '../../src/ack/arrivals.js'
import { loadServeConfig } from '../../src/config/serve-config.js'
import { createMetrics } from '../../src/metrics/registry.js'
import { PREFIX } from '../../src/metrics/names.js'
import { CheckerTracker } from '../../src/checkers/tracker.js'
import { Heartbeat } from '../../src/state/heartbeat.js'
import { Store } from '../../src/state/store.js'
import { initialSnapshot } from '../../src/state/transition.js'

t.test('every emqx_lb_sidecar_* metric the sidecar registers is in the docs/metrics.md table', async (t) => {
  const table = readFileSync(new URL('../../docs/metrics.md', import.meta.url), 'utf8')
  t.ok(table.includes('| metric | type | meaning |'), 'docs/metrics.md has its table')
  // `..._name` in a row abbreviates `emqx_lb_sidecar_name`
  const documented = new Set([...table.matchAll(/`(?:emqx_lb_sidecar_|\.\.\._)([a-z_]+)/g)].map((m) => `${PREFIX}${m[1] ?? ''}`))
  const { config } = loadServeConfig([], {})
  const store = new Store(initialSnapshot(0))
  const arrivals = new ArrivalWatch({
    read: async () => ({ ok: false, error: 'not read in this test' }), store, log: pino({ level: 'silent' }), pollIntervalMs: 1000, graceMs: 1000,
  })
  const metrics = createMetrics(store, {
    heartbeat: new Heartbeat({ intervalMs: 1000, boundMs: 6000 }),
    cluster: config.cluster,
    tracker: new CheckerTracker({ maxCheckers: 1, ttlMs: 1000, checkerFall: 3, budgetMs: 1000 }),
    rebalanceAck: { unacknowledged: 0 },
    arrivals,
  })
  const registered = metrics.registry.getMetricsAsArray().map((m) => m.name).filter((n) => n.startsWith(PREFIX))
  t.ok(registered.includes(`${PREFIX}poll_lag_seconds`), 'the poll loop lag is exported')
  t.ok(registered.includes(`${PREFIX}connects_while_draining_total`), 'the arrival evidence is exported')
  t.same(registered.filter((n) => !documented.has(n)), [], 'registered but missing from docs/metrics.md')
})
