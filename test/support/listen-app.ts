import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'

/** The app listening on a loopback port (its fast path in front of fastify, as main.ts listens), closed at teardown. */
export async function listenApp (t: { teardown: (fn: () => unknown) => void }, app: FastifyInstance): Promise<number> {
  await app.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(async () => { await app.close() })
  return (app.server.address() as AddressInfo).port
}
