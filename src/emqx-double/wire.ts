import type { IncomingMessage, ServerResponse } from 'node:http'
import { STATUS_TEXT } from './answers.js'
import type { SimAnswer } from './evacuation-api.js'
import type { SimFault } from './faults.js'

/** Writes an answer the way the current fault wants it on the wire (HTTP/1.0 peer, byte drip, or plainly). */
export function writeAnswer (res: ServerResponse, a: SimAnswer, fault: SimFault): void {
  if (fault === 'http10') {
    // Raw bytes: node's server would answer a 1.1 request in 1.1; an old proxy in front of EMQX would not.
    const head = [
      `HTTP/1.0 ${a.status} ${STATUS_TEXT[a.status] ?? 'Status'}`,
      'server: old-proxy',
      ...Object.entries(a.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
    ]
    res.socket?.end(`${head.join('\r\n')}\r\n\r\n${a.body}`)
    return
  }
  const headers: Record<string, string | number> = { 'content-length': Buffer.byteLength(a.body), server: 'Cowboy', ...a.headers }
  if (fault === 'drip') {
    res.writeHead(a.status, headers)
    const bytes = Buffer.from(a.body)
    let i = 0
    const t = setInterval(() => {
      if (res.destroyed || i >= bytes.length) { clearInterval(t); res.end(); return }
      res.write(bytes.subarray(i, ++i))
    }, 200)
    t.unref()
    return
  }
  res.writeHead(a.status, headers)
  res.end(a.body)
}

/** Faults that replace the answer: true when the fault took over (`canned` is its answer, if it has one). */
export function takeOver (req: IncomingMessage, res: ServerResponse, fault: SimFault, canned: SimAnswer | undefined): boolean {
  switch (fault) {
    case 'hang': return true
    case 'hang_mid_body':
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': 100 })
      res.write('{"partial":')
      return true
    case 'reset': req.socket.resetAndDestroy(); return true
    default:
      if (canned === undefined) return false
      writeAnswer(res, canned, fault)
      return true
  }
}
