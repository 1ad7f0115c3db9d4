import { copyFileSync, mkdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { chromium, type Browser } from 'playwright-core'
import { Pool } from 'undici'
import { requireBinary } from '../support/components.js'
import { startDouble } from '../support/emqx-double.js'
import { startSidecar } from '../support/sidecar-proc.js'
import { waitFor } from '../support/wait.js'

/**
 * The live page in a real browser (Debian's chromium, driven by playwright-core, which brings no browser
 * of its own): it turns from up to draining without a reload once the EMQX double makes the node a
 * rebalance donor, lists the four checkers probing the node by name, loads nothing from anywhere but the
 * sidecar, and marks itself disconnected when the sidecar goes away. The screenshot is kept under .tap/;
 * UI_SCREENSHOT_TO=docs/ui.png copies it there (the README's picture).
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const ARTIFACT = join(ROOT, '.tap', 'artifacts', 'ui-browser-draining.png')

const CHECKERS = ['HAProxy', 'kube-probe/1.30', 'ELB-HealthChecker/2.0', 'emqx-lb-sidecar-nginx-sync'] as const

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
]

interface Status { state: string, checkers: Array<{ user_agent: string, interval_ms: number | null }> }

/** One load-balancer checker: GET /availability every ~300 ms with its own User-Agent, on one keep-alive connection. */
function probeLoop (url: string, userAgent: string): () => Promise<void> {
  const pool = new Pool(url, { connections: 1 })
  const stop = new AbortController()
  const loop = (async () => {
    while (!stop.signal.aborted) {
      try {
        const res = await pool.request({ method: 'GET', path: '/availability', headers: { 'user-agent': userAgent } })
        await res.body.dump()
      } catch { /* the sidecar stops at the end of the test */ }
      await new Promise((resolve) => setTimeout(resolve, 300))
    }
  })()
  return async () => { stop.abort(); await loop; await pool.close() }
}

t.test('the live page follows a drain in headless Chromium, lists the checkers, loads nothing from outside', async (t) => {
  const executablePath = requireBinary(t, 'chromium', 'chromium')
  if (executablePath === undefined) return
  const sim = await startDouble(t, { profile: 'v5', connections: 1200 })
  const sidecar = await startSidecar(t, ['--emqx-url', sim.url, '--poll-interval', '200ms', '--emqx-username', 'admin',
    '--emqx-password', 'public', '--shutdown-delay', '0s'])
  const stops = CHECKERS.map((ua) => probeLoop(sidecar.url, ua))
  t.teardown(async () => { await Promise.all(stops.map(async (stop) => { await stop() })) })
  const status = async (): Promise<Status> => {
    const res = await fetch(`${sidecar.url}/status`)
    return await res.json() as Status
  }
  await waitFor(status, (s) => s.state === 'up' && CHECKERS.every((ua) => s.checkers.some((c) => c.user_agent === ua && c.interval_ms !== null)),
    { what: 'up, with the four checkers seen and their intervals measured', timeoutMs: 10_000, intervalMs: 100 })

  const browser: Browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS })
  t.teardown(async () => { await browser.close() })
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
  const requests: string[] = []
  const problems: string[] = []
  let navigations = 0
  page.on('request', (r) => { requests.push(r.url()) })
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`) })
  page.on('pageerror', (e) => { problems.push(`page error: ${e.message}`) })
  page.on('framenavigated', (f) => { if (f === page.mainFrame()) navigations++ })

  await page.goto(`${sidecar.url}/ui`)
  t.equal(await page.textContent('#state'), 'up', 'the first paint, before any event: up (served by the server)')
  // selectors, not waitForFunction: the page's CSP forbids the eval a string predicate needs
  await page.waitForSelector('html[data-state="up"][data-stream="live"]', { state: 'attached', timeout: 10_000 })
  t.equal(await page.getAttribute('html', 'data-state'), 'up', 'the page shows up')

  const flipped = performance.now()
  sim.becomeDonor()
  await page.waitForSelector('html[data-state="draining"]', { state: 'attached', timeout: 5000 })
  const took = performance.now() - flipped
  t.ok(took < 5000, `draining on the page ${Math.round(took)} ms after the double made the node a donor, without a reload`)
  t.equal(navigations, 1, 'one navigation: followed over /events, never reloaded')
  t.equal(await page.textContent('#state'), 'draining', 'the banner says draining')

  // every checker by name, and (after fall drain answers each) the drain acknowledged
  const table = await page.textContent('#checkers-body') ?? ''
  for (const ua of CHECKERS) t.ok(table.includes(ua), `checker ${ua} listed`)
  await page.waitForSelector('#ack.done', { timeout: 10_000 })
  t.match(await page.textContent('#ack'), /Drain acknowledged: all 4 checkers told/, 'the four checkers told')
  t.match(await page.textContent('#timeline'), /EMQX answered 503: this node is a rebalance donor/, 'the timeline shows the cause, in words')
  t.equal(await page.textContent('#reason'), 'This node is a rebalance donor', 'the headline names the process')
  // the donor starts evicting: connections leave at ~200/s, the page draws them from successive events
  sim.setProcessState('evicting_conns')
  for (let i = 0; i < 15; i++) {
    sim.counts.connections -= 40
    sim.counts.sessions -= 40
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  await page.waitForSelector('#progress-section:not([hidden]) svg.spark polyline', { state: 'attached', timeout: 5000 })
  t.match(await page.textContent('#progress'), /connections.*of 1,200 initially/s, 'connections now against the initial count')
  mkdirSync(dirname(ARTIFACT), { recursive: true })
  await page.screenshot({ path: ARTIFACT, fullPage: true })
  t.comment(`screenshot: ${ARTIFACT}`)
  const copyTo = process.env.UI_SCREENSHOT_TO
  if (copyTo !== undefined && copyTo !== '') copyFileSync(ARTIFACT, resolve(ROOT, copyTo))

  const origin = new URL(sidecar.url).origin
  t.same(requests.filter((u) => new URL(u).origin !== origin), [], 'no request to anything but the sidecar')
  t.same([...new Set(requests.map((u) => new URL(u).pathname))].sort(), ['/events', '/ui'], 'the page and its stream, nothing else')
  t.same(problems, [], 'no console error (a CSP violation would be one), no page error')

  // the sidecar goes away: the page says so and keeps trying
  sidecar.child.kill('SIGTERM')
  await page.waitForSelector('html[data-stream="disconnected"]', { state: 'attached', timeout: 10_000 })
  t.match(await page.textContent('#stream'), /disconnected/, 'the disconnected marker')
  // an open stream does not hold the sidecar up: it exits on its own (--shutdown-delay 0s)
  const code = await Promise.race([sidecar.exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 10_000))])
  t.equal(code, 0, 'the sidecar exited 0 with the page still connected until then')
})
