import { json, type SimAnswer } from './evacuation-api.js'
import type { SimFault } from './faults.js'

/**
 * Canned answers of the simulated EMQX, per API generation (docs/emqx-compatibility.md): 5.x speaks JSON
 * `{"code","message"}`; 4.4's minirest plain text. Pure.
 */
export function unauthorized (api: 'v4' | 'v5'): SimAnswer {
  return api === 'v5'
    ? {
        status: 401,
        body: JSON.stringify({ code: 'BAD_API_KEY_OR_SECRET', message: 'Check api_key/api_secret' }),
        headers: { 'content-type': 'application/json', 'www-authenticate': 'Basic Realm="emqx-dashboard"' },
      }
    : { status: 401, body: 'UNAUTHORIZED', headers: { 'content-type': 'text/plain', 'www-authenticate': 'Basic Realm="minirest-server"' } }
}

export function notFound (api: 'v4' | 'v5'): SimAnswer {
  return api === 'v5'
    ? json(404, { code: 'NOT_FOUND', message: 'Request Path Not Found' })
    : { status: 404, body: 'Not Found', headers: { 'content-type': 'text/plain' } }
}

/** GET /status (and /api/v5/status): text, or JSON with ?format=json (5.x only: 4.4's is text only). */
export function nodeStatus (o: { api: 'v4' | 'v5', nodeName: string, running: boolean, jsonFormat: boolean }): SimAnswer {
  const headers = { 'retry-after': '15' }
  const status = o.running ? 200 : 503
  const broker = o.running ? 'started' : 'stopped'
  const app = o.running ? 'running' : 'not_running'
  if (o.jsonFormat && o.api === 'v5') {
    const doc = { node_name: o.nodeName, cluster: 'emqxcl', broker_status: broker, app_status: app }
    return { status, body: JSON.stringify(doc), headers: { ...headers, 'content-type': 'application/json' } }
  }
  return { status, body: `Node ${o.nodeName} is ${broker}\nemqx is ${app}`, headers: { ...headers, 'content-type': 'text/plain' } }
}

/** The answer a fault sends instead of the real one; undefined for faults that are not an answer. */
export function faultAnswer (fault: SimFault, api: 'v4' | 'v5', redirectTo: string): SimAnswer | undefined {
  switch (fault) {
    case '5xx': return { status: 500, body: 'Internal Server Error', headers: { 'content-type': 'text/plain' } }
    case 'garbage': return { status: 200, body: '<html>surprise</html>', headers: { 'content-type': 'text/html' } }
    case 'garbage_503':
      return { status: 503, body: '<html><body>503 Service Unavailable</body></html>', headers: { 'content-type': 'text/html' } }
    case 'huge': return { status: 200, body: `{"pad":"${'x'.repeat(1024 * 1024)}"}`, headers: { 'content-type': 'application/json' } }
    case 'redirect': return { status: 302, body: '', headers: { location: redirectTo } }
    case 'auth_reject': return unauthorized(api)
    case 'forbidden': return json(403, { code: 'FORBIDDEN', message: 'API key has no permission' })
    case 'not_found': return notFound(api)
    default: return undefined
  }
}

export const STATUS_TEXT: Readonly<Record<number, string>> = {
  200: 'OK',
  401: 'Unauthorized',
  404: 'Not Found',
  503: 'Service Unavailable',
}
