// the sidecar's own Node 20 fix (src/tick-map.ts, imported first by its cli.ts): every process a bare handler
// answers in gets it too, so that neither side of a CPU ratio carries V8's collected nextTick map
import '../../src/tick-map.js'
import { createServer, type Server } from 'node:http'

/**
 * The runtime's ceiling: node:http answering a constant 200 with the same headers and the same body
 * length as the sidecar's `up` answer, and the same keep-alive timeout. Nothing else: its throughput
 * is what any Node server pays before doing any work. Used in a process of its own (bare-http.ts) and
 * inside a sidecar process (in-process.ts).
 */
export function bareServer (body: string): Server {
  const length = Buffer.byteLength(body)
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': length, 'cache-control': 'no-store' })
    // a string body goes out in one write() with the headers, as the sidecar's does
    if (req.method === 'GET') res.end(body, 'utf8'); else res.end()
  })
  server.keepAliveTimeout = 5000
  return server
}
