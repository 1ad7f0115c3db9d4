import { spawn } from 'node:child_process'
import t from 'tap'
import { startSidecar as benchSidecar, livePids, stopAll, track } from '../../bench/lib/proc.js'
import { CI_FLOOR_MS, MAX_START_MS, QUIET_START_MS, StartupError, startupBound } from '../../bench/lib/startup.js'
import { startSidecar } from '../support/sidecar-proc.js'

/**
 * A start-up that fails leaves no process behind, in the tests' helper (test/support/sidecar-proc.ts) and
 * the bench's (bench/lib/proc.ts): the child is killed and its exit awaited before the helper rejects, and
 * the error says what it waited for, for how long, and what the child printed.
 */

// never prints the listening line
const HANG = ['-e', 'setInterval(() => {}, 1000)']
// prints 30 lines and some stderr, then exits 3 without listening
const TALK_AND_EXIT = ['-e', "for (let i = 1; i <= 30; i++) console.log('line ' + i); console.error('bad things'); process.exit(3)"]

/** True when no process has this pid (kill -0 fails with ESRCH). */
function gone (pid: number | undefined): boolean {
  if (pid === undefined) return false
  try {
    process.kill(pid, 0)
    return false
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH'
  }
}

async function startupError (start: Promise<unknown>): Promise<StartupError> {
  try {
    await start
  } catch (err) {
    if (err instanceof StartupError) return err
    throw err
  }
  throw new Error('start-up succeeded')
}

t.test('the start-up bound: at least the quiet-machine bound, 60 s in CI, at most 150 s', async (t) => {
  const b = startupBound()
  t.ok(b.ms >= QUIET_START_MS && b.ms <= MAX_START_MS, `${b.ms} ms (${b.why})`)
  if (process.env.CI === 'true') t.ok(b.ms >= CI_FLOOR_MS, 'CI floor')
  t.match(b.why, /load \d+\.\d\d \/ \d+ cores/, 'the message shows the load and the cores it was scaled by')
})

t.test('test helper: a child that never listens is killed when the bound passes', async (t) => {
  const err = await startupError(startSidecar(t, [], {}, [], { bound: 300, launch: { file: process.execPath, args: HANG } }))
  t.match(err.message, /^waiting for log: HTTP listening \(pid \d+\): timed out after 300 ms; bound 300 ms/, 'names the wait and the bound')
  t.match(err.message, /stdout line\(s\):[\s\S]*stderr:/, 'with the child\'s stdout and stderr')
  t.ok(gone(err.pid), `pid ${String(err.pid)} no longer exists`)
})

t.test('test helper: a child that exits first is reported with its last 20 stdout lines and stderr', async (t) => {
  const err = await startupError(startSidecar(t, [], {}, [], { launch: { file: process.execPath, args: TALK_AND_EXIT } }))
  t.match(err.message, /HTTP listening \(pid \d+\): process exited \(code 3\); bound \d+ ms \(15 s x max\(1, load/)
  t.match(err.message, /last 20 stdout line\(s\):\n {2}line 11\n[\s\S]* {2}line 30\nstderr:\n {2}bad things/)
  t.notMatch(err.message, /line 10\n/, 'only the last 20 lines')
  t.ok(gone(err.pid), `pid ${String(err.pid)} no longer exists`)
})

t.test('test helper: the real CLI with a bad flag exits 2; its complaint is in the error', async (t) => {
  const err = await startupError(startSidecar(t, ['--emqx-url', 'http://127.0.0.1:1', '--poll-interval', 'soon']))
  t.match(err.message, /process exited \(code 2\)/)
  t.match(err.message, /stderr:\n[\s\S]*--poll-interval/)
  t.ok(gone(err.pid))
})

t.test('bench helper: a child that never listens is killed when the bound passes', async (t) => {
  const launch = { file: process.execPath, args: HANG }
  const err = await startupError(benchSidecar({ emqxUrl: 'http://127.0.0.1:1', startupBound: 300, launch }))
  t.match(err.message, /^waiting for sidecar listening \(pid \d+\): timed out after 300 ms; bound 300 ms/)
  t.ok(gone(err.pid), `pid ${String(err.pid)} no longer exists`)
  t.notOk(livePids().includes(err.pid ?? -1), 'and it left the bench\'s list of running children')
})

t.test('bench helper: a child that exits first is reported with its last 20 stdout lines and stderr', async (t) => {
  const err = await startupError(benchSidecar({ emqxUrl: 'http://127.0.0.1:1', launch: { file: process.execPath, args: TALK_AND_EXIT } }))
  t.match(err.message, /sidecar listening \(pid \d+\): process exited \(code 3\)/)
  t.match(err.message, /last 20 stdout line\(s\):\n {2}line 11\n[\s\S]* {2}line 30\nstderr:\n {2}bad things/)
  t.ok(gone(err.pid))
})

t.test('bench helper: a command that cannot be spawned is a start-up error, not a crash', async (t) => {
  const err = await startupError(benchSidecar({ emqxUrl: 'http://127.0.0.1:1', launch: { file: '/nonexistent/node', args: [] } }))
  t.match(err.message, /could not start: spawn \/nonexistent\/node ENOENT/)
})

t.test('bench: stopAll kills every tracked child still running (what bench/run.ts does after a failed section)', async (t) => {
  const children = [1, 2].map(() => track(spawn(process.execPath, HANG, { stdio: 'ignore' })))
  const pids = children.map((c) => c.pid)
  t.same(pids.filter((p) => p !== undefined && livePids().includes(p)).length, 2, 'tracked')
  t.equal(await stopAll(), 2)
  for (const pid of pids) t.ok(gone(pid), `pid ${String(pid)} no longer exists`)
  t.same(livePids(), [])
})
