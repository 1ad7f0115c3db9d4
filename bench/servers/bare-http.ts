import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * The runtime's ceiling: node:http answering a constant 200 with the same headers and the same body
 * length as the sidecar's `up` answer (BARE_BODY), and the same keep-alive timeout. Nothing else is
 * loaded, so its throughput and memory are what any Node server pays before doing any work.
 */
const body = process.env.BARE_BODY ?? '{"state":"up"}'
const length = Buffer.byteLength(body)
const server = createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': length, 'cache-control': 'no-store' })
  // a string body goes out in one write() with the headers, as the sidecar's does
  if (req.method === 'GET') res.end(body, 'utf8'); else res.end()
})
server.keepAliveTimeout = 5000
server.listen(Number(process.env.BARE_PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ event: 'listening', port: (server.address() as AddressInfo).port })}\n`)
})
