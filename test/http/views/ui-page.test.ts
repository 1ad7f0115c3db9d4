import { createHash } from 'node:crypto'
import t from 'tap'
import pino from 'pino'
import { buildApp } from '../../../src/http/listeners/app.js'
import { UI_CSP, UI_PAGE_MAX_BYTES, uiPage } from '../../../src/http/views/ui-page.js'
import { createMetrics } from '../../../src/metrics/registry.js'
import { moveTo } from '../../../src/state/move.js'
import { NODE_STATES } from '../../../src/state/model.js'
import { initialSnapshot } from '../../../src/state/transition.js'
import { TestStore } from '../../support/test-store.js'

function setup (t: { teardown: (fn: () => unknown) => void }) {
  const store = new TestStore(initialSnapshot(Date.now()))
  const app = buildApp({ store, metrics: createMetrics(store), log: pino({ level: 'silent' }) })
  t.teardown(() => app.close())
  return { store, app }
}

const sha256 = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`

t.test('GET /ui: one HTML page of at most 100 KiB, uncachable, with a CSP that allows nothing from outside', async (t) => {
  const { app } = setup(t)
  const res = await app.inject({ method: 'GET', url: '/ui' })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^text\/html; charset=utf-8/)
  t.equal(res.headers['cache-control'], 'no-store')
  t.ok(res.rawPayload.length <= 100 * 1024, `${res.rawPayload.length} bytes`)
  t.ok(UI_PAGE_MAX_BYTES <= 100 * 1024, 'whatever the state')
  const csp = String(res.headers['content-security-policy'])
  t.equal(csp, UI_CSP)
  for (const d of ["default-src 'none'", "connect-src 'self'", 'img-src data:', "base-uri 'none'", "form-action 'none'"]) {
    t.ok(csp.includes(d), d)
  }
  t.notMatch(csp, /unsafe-inline|unsafe-eval|https?:/, 'no inline allowance, no host')
  // the one script and the one style sheet are allowed by their hashes
  const html = res.payload
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1] ?? '')
  const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1] ?? '')
  t.equal(scripts.length, 1, 'one inline script')
  t.equal(styles.length, 1, 'one inline style sheet')
  t.ok(csp.includes(`script-src ${sha256(scripts[0] ?? '')}`), 'script hash')
  t.ok(csp.includes(`style-src ${sha256(styles[0] ?? '')}`), 'style hash')
  t.notMatch(html, /<script[^>]+src=|<link[^>]+stylesheet|<img|<iframe|@import|url\(/i, 'no external resource')
  const links = [...html.matchAll(/(?:href|src)="([^"]*)"/g)].map((m) => m[1])
  t.same(links, ['data:,', '/status'], 'only an empty icon and a link to /status')
  t.match(html, /new EventSource\(/, 'follows /events')
})

t.test('the root element carries the served state (data-state)', async (t) => {
  const { app, store } = setup(t)
  t.match((await app.inject({ method: 'GET', url: '/ui' })).payload, /<html lang="en" data-stream="connecting" data-state="starting">/)
  for (const state of NODE_STATES) {
    store.update((s) => moveTo(s, state, state === 'up' ? 'emqx_available' : 'emqx_unavailable', 'test', Date.now()))
    t.match((await app.inject({ method: 'GET', url: '/ui' })).payload, new RegExp(`<html [^>]*data-state="${state}"`), state)
    t.equal(Buffer.byteLength(uiPage(state)) <= UI_PAGE_MAX_BYTES, true, `${state}: within the size bound`)
  }
})

t.test('HEAD /ui: the headers of GET without the body; other methods 405 with Allow: GET, HEAD', async (t) => {
  const { app } = setup(t)
  const get = await app.inject({ method: 'GET', url: '/ui' })
  const head = await app.inject({ method: 'HEAD', url: '/ui' })
  t.equal(head.statusCode, 200)
  t.equal(head.rawPayload.length, 0, 'no body')
  t.equal(head.headers['content-length'], String(get.rawPayload.length), 'the length GET sends')
  t.equal(head.headers['content-type'], get.headers['content-type'])
  t.equal(head.headers['content-security-policy'], get.headers['content-security-policy'])
  for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const) {
    const res = await app.inject({ method, url: '/ui' })
    t.equal(res.statusCode, 405, method)
    t.equal(res.headers.allow, 'GET, HEAD', `${method}: Allow`)
  }
})

t.test('the script sets text, never HTML: user agents and messages come from the network', async (t) => {
  const html = uiPage('up')
  t.notMatch(html, /innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/)
  t.notMatch(html, /setAttribute\('style'|\.style\./, 'no inline style attributes (the CSP allows the sheet by hash only)')
})
