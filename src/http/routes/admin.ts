import type { Socket } from 'node:net'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Logger } from 'pino'
import type { Secret } from '../../config/secret.js'
import type { AdminAction, AdminRecorder } from '../../metrics/admin.js'
import { servedAnswer, type Snapshot } from '../../state/model.js'
import { type EvacuationProgress } from '../../state/evacuation-types.js'
import type { Evacuator } from '../../state/evacuator.js'
import type { Store } from '../../state/store.js'
import { bearerChecker } from './admin-auth.js'
import { evacuationDocument } from '../views/status.js'
import { LogCodes, LogEvents } from '../../errors.js'

export interface AdminOptions {
  readonly token: Secret
  readonly store: Store
  readonly evacuator: Evacuator
  readonly metrics: AdminRecorder
  readonly log: Logger
  /** how long GET /prestop may block: the evacuation deadline plus a margin */
  readonly prestopTimeoutMs: number
}

declare module 'fastify' {
  interface FastifyContextConfig { adminAction?: AdminAction }
}

const PRESTOP_STATUS: Record<EvacuationProgress['phase'], number> = {
  starting: 202, awaiting_ack: 202, running: 202, done: 200, deadline: 504, failed: 502,
}

/**
 * The admin endpoints, registered only when a token is configured (otherwise they are 404 like any
 * unknown path). Every request needs `Authorization: Bearer <token>`; a wrong or missing one gets a
 * bare 401. Every action is logged with who (remote address) and what, never the token.
 */
export function registerAdmin (app: FastifyInstance, o: AdminOptions): void {
  const authorized = bearerChecker(o.token)
  const log = o.log.child({ component: 'admin' })

  app.register(async (scope) => {
    // Admin calls carry no body; accept and ignore any so `curl -d ''` or a JSON content type is not a 400.
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 4096 }, (_req, _body, done) => { done(null, undefined) })

    scope.addHook('onRequest', async (req, reply) => {
      const action = req.routeOptions.config.adminAction ?? 'unknown'
      if (authorized(req.headers.authorization)) return
      o.metrics.admin(action, 'unauthorized')
      const path = req.url.split('?')[0]
      log.warn({ event: LogEvents.ADMIN_UNAUTHORIZED, action, remote: req.ip, method: req.method, path },
        'admin request without a valid token refused')
      await reply.code(401).header('www-authenticate', 'Bearer').type('application/json').send('{"error":"unauthorized"}')
    })

    const audit = (req: FastifyRequest, action: AdminAction, result: string, extra: Record<string, unknown> = {}): void => {
      o.metrics.admin(action, result)
      log.info({ event: LogEvents.ADMIN, action, remote: req.ip, result, ...extra }, `admin ${action} by ${req.ip}: ${result}`)
    }
    const send = async (reply: FastifyReply, status: number, doc: Record<string, unknown>): Promise<void> => {
      await reply.code(status).type('application/json').send(JSON.stringify(doc, null, 2) + '\n')
    }
    const served = (s: Snapshot): Record<string, unknown> => ({
      state: s.state, available: servedAnswer(s).available, reason: s.reason, message: s.message,
    })

    scope.post('/admin/drain', { config: { adminAction: 'drain' } }, async (req, reply) => {
      const now = Date.now()
      const s = o.store.current.overrides.manualDrain !== undefined
        ? o.store.current
        : o.store.setOverride('manualDrain', { since: now, by: req.ip }, now)
      audit(req, 'drain', 'ok')
      await send(reply, 200, { manual_drain: true, ...served(s) })
    })

    scope.post('/admin/undrain', { config: { adminAction: 'undrain' } }, async (req, reply) => {
      const s = o.store.setOverride('manualDrain', undefined, Date.now())
      audit(req, 'undrain', 'ok', { state: s.state })
      await send(reply, 200, { manual_drain: false, ...served(s) })
    })

    scope.post('/admin/evacuate', { config: { adminAction: 'evacuate' } }, async (req, reply) => {
      const run = o.evacuator.start(req.ip)
      // answered at once (202); a failure is followed in /status and the log, never an unhandled rejection
      run.catch((err: unknown) => { log.error({ err, code: LogCodes.INTERNAL_ERROR }, 'evacuation failed unexpectedly') })
      const p = o.evacuator.progress
      audit(req, 'evacuate', p?.phase ?? 'unknown')
      const evacuation = p === undefined ? null : evacuationDocument(p)
      await send(reply, p?.phase === 'done' ? 200 : 202, { evacuation, ...served(o.store.current) })
    })

    scope.post('/admin/evacuate/stop', { config: { adminAction: 'evacuate_stop' } }, async (req, reply) => {
      const r = await o.evacuator.stop(req.ip)
      audit(req, 'evacuate_stop', r.ok ? 'ok' : 'failed')
      const doc = r.ok ? { stopped: true, already: r.already, ...served(o.store.current) } : { stopped: false, error: r.error }
      await send(reply, r.ok ? 200 : 502, doc)
    })

    // For a Kubernetes preStop httpGet hook: blocks until the evacuation is finished or its deadline
    // passed. The socket's idle timeout is lifted for this request only: the answer may take minutes.
    scope.get('/prestop', { config: { adminAction: 'prestop' } }, async (req, reply) => {
      const socket = req.raw.socket as Partial<Socket> | undefined
      if (typeof socket?.setTimeout === 'function') socket.setTimeout(o.prestopTimeoutMs) // inject() has no real socket
      log.info({ event: LogEvents.ADMIN, action: 'prestop', remote: req.ip, result: 'waiting' },
        `admin prestop by ${req.ip}: evacuating and waiting`)
      const p = await o.evacuator.start(req.ip)
      audit(req, 'prestop', p.phase)
      await send(reply, PRESTOP_STATUS[p.phase], { evacuation: evacuationDocument(p), ...served(o.store.current) })
    })
  })
}
