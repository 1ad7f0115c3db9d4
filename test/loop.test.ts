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
  // Read the delay the loop asks for after a step, not wall-clock gaps: on a loaded machine timers fire
  // late (and, against a stale loop clock, a little early), so a measured gap proves nothing either way.
  const intervalMs = 200
  const stepMs = 120
  const asked: number[] = []
  const realSetTimeout = globalThis.setTimeout
  const spy = ((fn: () => void, ms?: number) => { asked.push(ms ?? 0); return realSetTimeout(fn, ms) }) as typeof setTimeout
  const ev = new EventEmitter()
  let steps = 0
  const loop = new Loop({
    intervalMs,
    step: async () => {
      steps++
      ev.emit('s')
      await new Promise((resolve) => realSetTimeout(resolve, stepMs))
      if (steps === 1) globalThis.setTimeout = spy // the loop's next setTimeout is the one after this step
    },
    onError: () => undefined,
  })
  t.teardown(() => { globalThis.setTimeout = realSetTimeout })
  loop.start()
  await once(ev, 's')
  await once(ev, 's')
  globalThis.setTimeout = realSetTimeout
  await loop.stop()
  const delay = asked[0]
  t.ok(delay !== undefined, 'the loop scheduled the next step')
  // the step took about stepMs (half of it is slack for a stale loop clock), so a fixed-rate
  // loop waits at most the rest of the interval; a fixed-delay loop would ask for the whole interval
  t.ok((delay ?? Infinity) <= intervalMs - stepMs / 2, `asked for ${delay}ms after a ${stepMs}ms step of a ${intervalMs}ms interval`)
  t.ok((delay ?? -1) >= 0)
})
