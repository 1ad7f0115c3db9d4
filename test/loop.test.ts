import { once, EventEmitter } from 'node:events'
import t from 'tap'
import { Loop } from '../src/loop.js'

t.test('a step that throws is reported and the loop goes on', async (t) => {
  const steps = new EventEmitter()
  let n = 0
  const errors: unknown[] = []
  const loop = new Loop({ intervalMs: 5, step: async () => { n++; steps.emit('step', n); if (n === 1) throw new Error('bug') }, onError: (e) => { errors.push(e) } })
  loop.start()
  // each step announces its number; the first one ran inside start(), before anyone listened
  let seen = n
  while (seen < 3) [seen] = await once(steps, 'step') as [number]
  await loop.stop()
  t.equal(errors.length, 1)
  t.match(errors[0], { message: 'bug' })
})

t.test('steps never overlap, and stop() waits for the one in flight', async (t) => {
  let running = 0
  let most = 0
  let done = 0
  let release: (() => void) | undefined
  const started = new EventEmitter()
  const loop = new Loop({
    intervalMs: 1, // shorter than a step: the next one must wait for the previous
    step: async () => { running++; most = Math.max(most, running); started.emit('s'); await new Promise<void>((resolve) => { release = resolve }); running--; done++ },
    onError: () => undefined,
  })
  const first = once(started, 's') // the first step starts inside start()
  loop.start()
  await first
  const stopped = loop.stop()
  let stoppedYet = false
  stopped.then(() => { stoppedYet = true })
  await new Promise((resolve) => setImmediate(resolve))
  t.notOk(stoppedYet, 'stop() is still waiting for the step')
  release?.()
  await stopped
  t.equal(most, 1)
  t.equal(done, 1)
})

t.test('the next step starts one interval after the previous one started, not after it ended', async (t) => {
  const starts: number[] = []
  const ev = new EventEmitter()
  const intervalMs = 200
  const stepMs = 120
  const loop = new Loop({ intervalMs, step: async () => { starts.push(performance.now()); ev.emit('s'); await new Promise((resolve) => setTimeout(resolve, stepMs)) }, onError: () => undefined })
  loop.start()
  while (starts.length < 2) await once(ev, 's')
  await loop.stop()
  const gap = (starts[1] ?? 0) - (starts[0] ?? 0)
  // a fixed-delay loop would wait intervalMs + stepMs; timers only ever fire late, so the bound is the sum
  t.ok(gap >= intervalMs - 2 && gap < intervalMs + stepMs, `gap ${gap.toFixed(0)}ms`)
})
