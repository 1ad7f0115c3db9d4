import t from 'tap'
import { NODE_STATUS_EVERY, REQUESTS_PER_POLL } from '../../src/emqx/client.js'
import { startDouble } from '../support/emqx-double.js'
import { checkCount, scrape } from '../support/metrics-text.js'
import { formatStats, ProbeLoad } from '../support/probe-load.js'
import { startSidecar } from '../support/sidecar-proc.js'
import { waitFor } from '../support/wait.js'

/**
 * The "EMQX not running" read costs a bounded, fixed share of requests: per check, availability_check plus
 * the node status every NODE_STATUS_EVERY checks, whatever the probe load. Counted on the double alone, by
 * path (each check is one availability_check request), so no scrape's timing enters the ratio; idle and
 * under a probe load of 32 busy connections. (The CONNECT counter's reads are their own test:
 * test/reliability/arrival-evidence.test.ts.)
 */
t.test(`EMQX requests per check stay at ${REQUESTS_PER_POLL} (node status every ${NODE_STATUS_EVERY}th) under any probe load`, async (t) => {
  const sim = await startDouble(t, { profile: 'v5' })
  const sc = await startSidecar(t, ['--emqx-url', sim.url, '--poll-interval', '50ms'])
  await sc.waitForLog((l) => l.msg.startsWith('node is up'), 5000, 'up')
  t.ok(checkCount(await scrape(sc.url), 'available') > 0, 'the sidecar checks EMQX')
  const AVAILABILITY = '/api/v5/load_rebalance/availability_check'
  const NODE_STATUS = '/api/v5/status'
  const window = NODE_STATUS_EVERY * 6
  const measure = async (): Promise<number> => {
    const a0 = sim.count(AVAILABILITY)
    const s0 = sim.count(NODE_STATUS)
    await waitFor(() => sim.count(AVAILABILITY), (n) => n >= a0 + window, { timeoutMs: 20_000, intervalMs: 25, what: `${window} checks` })
    const a1 = sim.count(AVAILABILITY)
    const s1 = sim.count(NODE_STATUS)
    return (a1 - a0 + s1 - s0) / (a1 - a0)
  }
  const idle = await measure()
  const load = new ProbeLoad(sc.url, { loops: 32, pauseMs: 0 })
  const loaded = await measure()
  const stats = await load.stop()
  t.comment(`EMQX requests per check: idle ${idle.toFixed(3)}, under probe load ${loaded.toFixed(3)} (${formatStats(stats)})`)
  // a window boundary may split a check from its node status read: +-1 request over the window
  const slack = 1.5 / window
  t.ok(Math.abs(idle - REQUESTS_PER_POLL) <= slack, `idle: ${idle.toFixed(3)} per check`)
  t.ok(Math.abs(loaded - REQUESTS_PER_POLL) <= slack, `under load: ${loaded.toFixed(3)} per check`)
  t.ok(stats.count > 100, `the probes really ran (${stats.count})`)
})
