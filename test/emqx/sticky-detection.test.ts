import t from 'tap'
import pino from 'pino'
import { Writable } from 'node:stream'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { loadServeConfig } from '../../src/config/serve-config.js'
import { EmqxClient } from '../../src/emqx/client.js'
import { Monitor } from '../../src/state/monitor.js'
import { Store } from '../../src/state/store.js'
import { initialSnapshot } from '../../src/state/transition.js'
import type { Snapshot } from '../../src/state/model.js'
import { startDouble, type EmqxDouble } from '../support/emqx-double.js'
import { nextEvent } from '../support/wait.js'

/**
 * Issue 13's scenario with the default `--emqx-api-version auto`: EMQX hangs (or answers garbage) long enough
 * for the node to go down, recovers, then becomes a rebalance donor. The fault ends at the worst moment: in
 * the middle of what used to be a re-detection, when the 5.x path still fails and the 4.4 path answers 404.
 * The donor must drain within one poll interval, never be served 200 by an open-source fallback.
 */
function endFaultMidDetection (sim: EmqxDouble, how: 'hang' | 'garbage'): void {
  sim.intercept = (req: IncomingMessage, res: ServerResponse): boolean => {
    if ((req.url ?? '').split('?')[0] !== '/api/v5/load_rebalance/availability_check') return false
    sim.intercept = undefined
    if (how === 'garbage') res.writeHead(200, { 'content-type': 'text/html' }).end('<html>surprise</html>')
    return true
  }
}

for (const how of ['hang', 'garbage'] as const) {
  t.test(`auto mode: ${how}, recover, donor: drains within one poll interval`, async (t) => {
    const sim = await startDouble(t, { profile: 'v5' })
    const lines: Array<Record<string, unknown>> = []
    const sink = new Writable({ write (chunk: Buffer, _e, cb) { lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>); cb() } })
    const { config } = loadServeConfig(['--emqx-url', sim.url, '--poll-interval', '100ms', '--emqx-timeout', '200ms'], {})
    t.equal(config.emqx.apiVersion, 'auto')
    const client = new EmqxClient(config.emqx)
    const store = new Store(initialSnapshot(Date.now()))
    const monitor = new Monitor({ client, store, log: pino({ level: 'debug' }, sink), pollIntervalMs: config.pollIntervalMs, failureThreshold: config.failureThreshold })
    t.teardown(async () => { await monitor.stop(); await client.close() })
    const bound = (checks: number): number => checks * (config.pollIntervalMs + config.emqx.timeoutMs) * 3 + 2000
    monitor.start()
    await nextEvent(store, 'update', (s: Snapshot) => s.state === 'up', bound(2), 'up')

    await sim.setFault(how)
    await nextEvent(store, 'update', (s: Snapshot) => s.state === 'down', bound(config.failureThreshold + 1), 'down after the failure threshold')
    let failing = 0
    await nextEvent(store, 'check', () => ++failing >= 3, bound(3), 'three more failing checks while down')
    endFaultMidDetection(sim, how)
    await sim.setFault('none')
    await nextEvent(store, 'update', (s: Snapshot) => s.state === 'up', bound(3), 'up again')
    t.match(store.current.api, { version: 'v5', mode: 'rebalance' }, 'still the rebalance API')

    sim.becomeDonor()
    // A check already in flight may have read the old answer; the next one must see the donor.
    let seen = 0
    const [, snap] = await nextEvent<[unknown, Snapshot]>(store, 'check', () => ++seen >= 2, bound(2), 'two checks after the donor flip')
    t.match(snap, { state: 'draining', reason: 'emqx_unavailable' }, 'the donor is drained by the next check')
    t.notOk(lines.some((l) => l.code === 'emqx_rebalance_api_missing'), 'never fell back to the open-source node-status mode')
    t.notOk(lines.some((l) => l.msg === 'EMQX API detected' && l.mode === 'node_status'))
  })
}
