import { createHash } from 'node:crypto'
import t from 'tap'
import pino from 'pino'
import { buildApp } from '../../../src/http/listeners/app.js'
import { UI_CSP } from '../../../src/http/views/ui-page.js'
import { UI_SCRIPT } from '../../../src/http/views/ui-script.js'
import { createMetrics } from '../../../src/metrics/registry.js'
import { CheckerTracker } from '../../../src/checkers/tracker.js'
import { moveTo } from '../../../src/state/move.js'
import { NODE_STATES } from '../../../src/state/model.js'
import { setOverride } from '../../../src/state/overrides.js'
import { initialSnapshot } from '../../../src/state/transition.js'
import { TestStore } from '../../support/test-store.js'

function setup (t: { teardown: (fn: () => unknown) => void }, tracker?: CheckerTracker) {
  const store = new TestStore(initialSnapshot(Date.now()))
  const app = buildApp({ store, metrics: createMetrics(store), log: pino({ level: 'silent' }), ...(tracker === undefined ? {} : { tracker }) })
  t.teardown(() => app.close())
  return { store, app }
}

const sha256 = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`
/** The text of the element with this id, tags stripped, entities of the escaper undone. */
function textOf (html: string, id: string): string {
  const start = html.indexOf(` id="${id}"`)
  if (start === -1) return ''
  const tag = /<(\w+)[^>]*$/.exec(html.slice(0, start))?.[1] ?? 'div'
  let depth = 0
  const re = new RegExp(`<(/?)${tag}\\b[^>]*>`, 'g')
  re.lastIndex = html.indexOf('>', start) + 1
  let end = html.length
  for (let m = re.exec(html); m !== null; m = re.exec(html)) {
    if (m[1] === '') depth++
    else if (depth-- === 0) { end = m.index; break }
  }
  return html.slice(html.indexOf('>', start) + 1, end).replace(/<[^>]+>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&')
}

t.test('GET /ui: one HTML page of at most 100 KiB, uncachable, with a CSP that allows nothing from outside', async (t) => {
  const { app } = setup(t)
  const res = await app.inject({ method: 'GET', url: '/ui' })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^text\/html; charset=utf-8/)
  t.equal(res.headers['cache-control'], 'no-store')
  t.ok(res.rawPayload.length <= 100 * 1024, `${res.rawPayload.length} bytes`)
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
  t.match(html, /fetch\('\/events'/, 'follows /events')
})

t.test('the first paint is the served state, in words, before any event: the root, the banner and the timeline', async (t) => {
  const { app, store } = setup(t)
  const first = (await app.inject({ method: 'GET', url: '/ui' })).payload
  t.match(first, /<html lang="en" data-stream="served" data-state="starting">/)
  t.equal(textOf(first, 'state'), 'starting')
  t.equal(textOf(first, 'reason'), "Waiting for EMQX's first answer")

  store.update((s) => moveTo(s, 'up', 'emqx_available', 'EMQX availability_check answered 200', Date.now()))
  const up = (await app.inject({ method: 'GET', url: '/ui' })).payload
  t.match(up, /<html [^>]*data-state="up"/)
  t.equal(textOf(up, 'state'), 'up', 'the banner says up, not starting')
  t.equal(textOf(up, 'message'), 'Load balancers are told to send new connections here.')
  t.notMatch(up, /waiting for the first event/, 'no placeholder waiting for JavaScript')

  store.update((s) => ({
    ...moveTo(s, 'draining', 'emqx_unavailable', 'EMQX availability_check answered 503', Date.now()),
    rebalance: { status: 'enabled', process: 'evacuation', state: 'waiting_takeover', stats: { initial_connected: 1200, current_connected: 800 } },
  }))
  const draining = (await app.inject({ method: 'GET', url: '/ui' })).payload
  t.match(draining, /<html [^>]*data-state="draining"/)
  t.equal(textOf(draining, 'state'), 'draining')
  t.equal(textOf(draining, 'reason'), 'EMQX is evacuating this node', 'the headline names the process, not emqx_unavailable')
  t.match(textOf(draining, 'since'), /^since \d\d:\d\d:\d\d \(\d+ s ago\)$/, 'since when, in words')
  t.match(textOf(draining, 'timeline'), /EMQX answered 503: EMQX is evacuating this node/, 'the timeline knows it is an evacuation')
  t.match(textOf(draining, 'progress'), /EMQX is evacuating this node: waiting for sessions to be taken over/, 'the panel in words')
  t.match(textOf(draining, 'progress'), /800 left of 1,200 initially/)
  const words = textOf(draining, 'banner') + textOf(draining, 'panels')
  t.notMatch(words, /emqx_unavailable|waiting_takeover|awaiting_first_check/, 'no raw names on the page')

  for (const state of NODE_STATES) {
    store.update((s) => moveTo(s, state, state === 'up' ? 'emqx_available' : 'emqx_unavailable', 'test', Date.now()))
    const html = (await app.inject({ method: 'GET', url: '/ui' })).payload
    t.match(html, new RegExp(`<html [^>]*data-state="${state}"`), state)
    t.equal(textOf(html, 'state'), state, `${state}: the banner`)
  }
})

t.test('a drain switch and an evacuation read as sentences', async (t) => {
  const { app, store } = setup(t)
  store.update((s) => moveTo(s, 'up', 'emqx_available', 'EMQX 200', Date.now()))
  store.update((s) => setOverride(s, 'evacuation', { phase: 'awaiting_ack', by: '10.0.0.7', startedAt: Date.now(), deadlineAt: Date.now() + 300_000 }, Date.now()))
  const html = (await app.inject({ method: 'GET', url: '/ui' })).payload
  t.equal(textOf(html, 'reason'), 'Evacuation through the sidecar: waiting until every load balancer has been told')
  t.match(textOf(html, 'progress'), /deadline \d\d:\d\d:\d\d \(in (4 min 5\d|5 min 0) s\)/, 'the deadline, relative')
})

t.test('the evidence card and the checkers use words, and the page stays small with many checkers', async (t) => {
  const tracker = new CheckerTracker({ maxCheckers: 256, ttlMs: 60_000, checkerFall: 3, budgetMs: 60_000 })
  const { app } = setup(t, tracker)
  for (let i = 0; i < 256; i++) tracker.observe({ source: `10.0.${i >> 8}.${i & 255}`, kind: 'http', userAgent: `HAProxy-${'x'.repeat(100)}`, available: false, answer: '503', at: Date.now() })
  const html = (await app.inject({ method: 'GET', url: '/ui' })).payload
  t.ok(Buffer.byteLength(html) <= 100 * 1024, `${Buffer.byteLength(html)} bytes with 256 checkers`)
  t.match(textOf(html, 'checkers-body'), /and 216 more: see \/status/)
  t.match(textOf(html, 'ack'), /^Not draining: 256 checkers probing this node\.$/)
})

t.test('markup from the network is text: a user agent with tags is escaped', async (t) => {
  const tracker = new CheckerTracker({ maxCheckers: 4, ttlMs: 60_000, checkerFall: 3, budgetMs: 60_000 })
  const { app } = setup(t, tracker)
  tracker.observe({ source: '10.0.0.1', kind: 'http', userAgent: '<script>alert(1)</script><img src=x onerror=alert(2)>', available: false, answer: '503', at: Date.now() })
  const html = (await app.inject({ method: 'GET', url: '/ui' })).payload
  t.equal([...html.matchAll(/<script>/g)].length, 1, 'only the page\'s own script')
  t.notMatch(html, /<img/, 'no element from the user agent')
  t.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/, 'shown as text')
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

t.test('/ui?still: one still frame, marked so, that opens no stream', async (t) => {
  const { app } = setup(t)
  const html = (await app.inject({ method: 'GET', url: '/ui?still' })).payload
  t.match(html, /<html lang="en" data-stream="still"/)
  t.equal(textOf(html, 'stream'), 'still frame')
  t.match(UI_SCRIPT, /getAttribute\('data-stream'\) !== 'still'/, 'the script follows /events only when not still')
})

t.test('the script sets text, never HTML: user agents and messages come from the network', async (t) => {
  t.notMatch(UI_SCRIPT, /innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function|DOMParser/)
  t.notMatch(UI_SCRIPT, /setAttribute\('style'|\.style\./, 'no inline style attributes (the CSP allows the sheet by hash only)')
  t.match(UI_SCRIPT, /addEventListener\('load'/, 'the stream opens after the load event')
})
