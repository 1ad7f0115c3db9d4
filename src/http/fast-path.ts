import { createServer, type IncomingMessage, type Server, type ServerOptions, type ServerResponse } from 'node:http'
import { AVAILABILITY_PATHS, type ProbeAnswer } from './availability.js'

const PROBE_PATHS: readonly string[] = AVAILABILITY_PATHS

/**
 * GET, HEAD or OPTIONS on an availability path (query string ignored: checkers add cache busters).
 * Plain comparisons, not Set lookups: a Set hashes each request's new URL string first.
 */
export function isProbe (method: string | undefined, url: string | undefined): boolean {
  if (method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS') return false
  if (url === undefined) return false
  const q = url.indexOf('?')
  const path = q === -1 ? url : url.slice(0, q)
  for (let i = 0; i < PROBE_PATHS.length; i++) if (PROBE_PATHS[i] === path) return true
  return false
}

/**
 * Writes a probe answer on a raw response: GET gets the JSON body, HEAD and OPTIONS the status only
 * (Patroni's convention). Every answer is uncachable: a cached 200 from a proxy in between would hide a drain.
 */
export function writeProbeAnswer (res: ServerResponse, method: string | undefined, a: ProbeAnswer): void {
  // the answer's own header lists (flat arrays, built once per snapshot): no headers object per probe
  if (method === 'GET') {
    res.writeHead(a.status, a.getHeaders as string[])
    // a string body goes out in one write() with the headers; a Buffer would take a writev() of two
    res.end(a.body, 'utf8')
  } else {
    res.writeHead(a.status, a.bodylessHeaders as string[])
    res.end()
  }
}

export interface ServerTimeouts {
  readonly keepAliveTimeout: number
  readonly requestTimeout: number
  readonly connectionTimeout: number
}

/**
 * The probe thread's HTTP server (probe-worker.ts): it answers availability probes itself, since they
 * are nearly all the traffic (many checkers, each every second or faster), and hands everything else
 * to `other` (the main thread's fastify app, whose routes answer probes with the same answer for
 * inject() and for request targets this matcher leaves alone, such as absolute-form URLs).
 */
export function createProbeServer (
  other: (req: IncomingMessage, res: ServerResponse) => void,
  answer: (req: IncomingMessage, res: ServerResponse) => void,
  t: ServerTimeouts,
  options: ServerOptions,
): Server {
  const server = createServer(options, (req, res) => {
    if (isProbe(req.method, req.url)) answer(req, res)
    else other(req, res)
  })
  // what fastify would set on a server it creates
  server.keepAliveTimeout = t.keepAliveTimeout
  server.requestTimeout = t.requestTimeout
  server.setTimeout(t.connectionTimeout)
  return server
}
