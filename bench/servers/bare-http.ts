import type { AddressInfo } from 'node:net'
import { bareServer } from './bare-handler.js'

/** The bare node:http baseline in a process of its own (bare-handler.ts); prints its port as JSON. */
const server = bareServer(process.env.BARE_BODY ?? '{"state":"up"}')
server.listen(Number(process.env.BARE_PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ event: 'listening', port: (server.address() as AddressInfo).port })}\n`)
})
