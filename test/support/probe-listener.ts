import { request } from 'node:http'
import pino from 'pino'
import type { FastifyInstance } from 'fastify'
import { defaultHttpLimits, type HttpLimits } from '../../src/config/serve-config.js'
import { startProbeThread, type ProbeThread } from '../../src/http/probe-thread.js'
import type { Metrics } from '../../src/metrics/registry.js'
import type { ProberTracker } from '../../src/probers/tracker.js'
import type { Store } from '../../src/state/store.js'

export interface ProbeListener {
  readonly port: number
  readonly thread: ProbeThread
  /**
   * Resolves once the main thread has every probe answered so far: a request that is not a probe
   * goes through the main thread, and the probe thread hands over its recorded probes before it.
   */
  readonly sync: () => Promise<void>
}

/** The sidecar's listener (its probe thread) for `app`, on a loopback port, closed at teardown. */
export async function probeListener (t: { teardown: (fn: () => unknown) => void, fail: (m: string) => void },
  o: { store: Store, metrics: Metrics, app: FastifyInstance, tracker?: ProberTracker, limits?: HttpLimits, stallMs?: number, log?: pino.Logger }): Promise<ProbeListener> {
  const thread = await startProbeThread({
    host: '127.0.0.1', port: 0, backlog: 511, limits: o.limits ?? defaultHttpLimits(), store: o.store, metrics: o.metrics, tracker: o.tracker, app: o.app,
    log: o.log ?? pino({ level: 'silent' }), forwardTimeoutMs: 10_000, ...(o.stallMs !== undefined ? { stallMs: o.stallMs } : {}),
    onFailure: (err) => { t.fail(`the probe thread failed: ${err.message}`) },
  })
  t.teardown(async () => { await thread.close(); await o.app.close() })
  const sync = async (): Promise<void> => {
    await new Promise<void>((resolve, reject) => {
      request({ host: '127.0.0.1', port: thread.port, path: '/livez', agent: false }, (res) => { res.resume().on('end', resolve) }).on('error', reject).end()
    })
  }
  return { port: thread.port, thread, sync }
}
