import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { requireBinary } from '../support/components.js'
import { startDouble } from '../support/emqx-double.js'
import { startSidecar } from '../support/sidecar-proc.js'
import { tempDir } from '../support/tmpdir.js'
import { waitFor } from '../support/wait.js'

/**
 * The live page settles: Debian's chromium, run from the command line as a person takes a screenshot
 * (--headless --virtual-time-budget=5000 --screenshot), finishes within 10 s of a static page's run. Virtual time does not advance
 * while a request is pending, so an EventSource opened with the page kept it loading for good; the page now
 * reads /events with fetch() after its load event. The page's DOM under the same budget (--dump-dom) is the
 * served state, drawn by the server: a blue "draining" page reads DRAINING, not STARTING.
 */
const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
]
// A page that keeps loading never finishes (virtual time stands still): HANG_MS only ends such a run. The 10 s is
// counted beyond the same chromium's run of a static page just before, which carries the machine's load (a first
// chromium start on a loaded 2-CPU machine alone took over 10 s in CI).
const BOUND_MS = 10_000
const HANG_MS = 60_000

interface Run { code: number | null, stdout: string, ms: number }

/** chromium with FLAGS and a fresh profile; fails the test (and kills it) past the bound. */
async function chromium (t: Test, bin: string, args: string[]): Promise<Run> {
  const profile = tempDir(t, 'els-chromium-')
  const started = performance.now()
  const child = spawn(bin, [...FLAGS, `--user-data-dir=${profile}`, '--virtual-time-budget=5000', ...args], { stdio: ['ignore', 'pipe', 'ignore'] })
  let stdout = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d })
  let timer: NodeJS.Timeout | undefined
  const code = await Promise.race([
    new Promise<number | null>((resolve) => child.on('exit', resolve)),
    new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), HANG_MS) }),
  ])
  clearTimeout(timer)
  const ms = Math.round(performance.now() - started)
  if (code === 'timeout') {
    child.kill('SIGKILL')
    t.fail(`chromium ${args.join(' ')} did not finish within ${HANG_MS / 1000} s: the page keeps loading (an open stream?)`)
    return { code: null, stdout, ms }
  }
  return { code, stdout, ms }
}

t.test('a headless Chromium screenshot of /ui with --virtual-time-budget completes within 10 s of a static page\'s, showing the served state', async (t) => {
  const bin = requireBinary(t, 'chromium', 'chromium')
  if (bin === undefined) return
  const sim = await startDouble(t, { profile: 'v5', connections: 300 })
  const sidecar = await startSidecar(t, ['--emqx-url', sim.url, '--poll-interval', '200ms', '--emqx-username', 'admin',
    '--emqx-password', 'public', '--shutdown-delay', '0s'])
  sim.becomeDonor()
  await waitFor(async () => await (await fetch(`${sidecar.url}/status`)).json() as { state: string }, (s) => s.state === 'draining',
    { what: 'the sidecar draining', timeoutMs: 10_000, intervalMs: 50 })

  const control = await chromium(t, bin, ['--dump-dom', 'data:text/html,<p>a static page</p>'])
  t.equal(control.code, 0, `a static page: chromium exited 0 after ${control.ms} ms`)
  const within = (run: Run, what: string): void => {
    t.ok(run.ms <= control.ms + BOUND_MS, `${what} finished ${run.ms} ms after its start, within ${BOUND_MS / 1000} s of the static page's ${control.ms} ms`)
  }

  const png = join(tempDir(t), 'ui.png')
  const shot = await chromium(t, bin, ['--window-size=1280,900', `--screenshot=${png}`, `${sidecar.url}/ui`])
  t.equal(shot.code, 0, `chromium exited 0 after ${shot.ms} ms`)
  within(shot, 'the screenshot')
  t.ok(existsSync(png), 'the screenshot was written')
  if (existsSync(png)) {
    const bytes = readFileSync(png)
    t.equal(bytes.subarray(1, 4).toString('latin1'), 'PNG', 'a PNG')
    t.equal(bytes.readUInt32BE(16), 1280, 'of the window\'s width')
  }

  const dom = await chromium(t, bin, ['--dump-dom', `${sidecar.url}/ui`])
  t.equal(dom.code, 0, `--dump-dom exited 0 after ${dom.ms} ms`)
  within(dom, '--dump-dom')
  t.match(dom.stdout, /<html lang="en" data-stream="(?:live|served|connecting)" data-state="draining"/, 'the root: draining')
  t.match(dom.stdout, /<div id="state">draining<\/div>/, 'the banner: draining, not starting')
  t.match(dom.stdout, /This node is a rebalance donor/, 'the headline in words')

  const still = await chromium(t, bin, ['--dump-dom', `${sidecar.url}/ui?still`])
  t.equal(still.code, 0, `/ui?still exited 0 after ${still.ms} ms`)
  within(still, '/ui?still')
  t.match(still.stdout, /data-stream="still" data-state="draining"/, 'one still frame of the served state')
})
