import t from 'tap'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { outputOf } from './support/child-output.js'

/**
 * src/tick-map.ts keeps one nextTick queue entry alive so that V8 never collects the map the entries share
 * (on Node 20 a collected map makes every later nextTick take V8's runtime: bench/README.md). Checked in a
 * child with V8's natives syntax: entries created after full GCs, when no other entry is alive, still have
 * the kept entry's map.
 */
const TICK_MAP = fileURLToPath(new URL('../src/tick-map.ts', import.meta.url))

const LOADER = new URL('./loader/register.mjs', import.meta.url).href

const CHILD = `
import { keptTick, tickEntry } from ${JSON.stringify(TICK_MAP)}
const kept = keptTick()
const same = []
for (let i = 0; i < 4; i++) {
  await new Promise((resolve) => setTimeout(resolve, 5))
  globalThis.gc(); globalThis.gc()
  same.push(%HaveSameMap(kept, tickEntry()))
}
const isEntry = kept !== undefined && typeof kept.callback === 'function' && 'args' in kept
process.stdout.write(JSON.stringify({ isEntry, same }) + '\\n')
`

t.test('the kept nextTick entry keeps its map: entries created after full GCs share it', async (t) => {
  // plain but for the TypeScript loader: tap's own instrumentation (its process tracker and coverage) changes which
  // maps V8 keeps, and what is checked is the sidecar's process, which runs without it
  const child = spawn(process.execPath, [`--import=${LOADER}`, '--expose-gc', '--allow-natives-syntax', '--input-type=module', '-e', CHILD],
    { stdio: ['ignore', 'pipe', 'pipe'] })
  const { code, out } = await outputOf(child, 60_000)
  t.equal(code, 0, `child exited 0: ${out.slice(-2000)}`)
  const line = out.split('\n').find((l) => l.startsWith('{')) ?? '{}'
  t.same(JSON.parse(line), { isEntry: true, same: [true, true, true, true] }, 'a nextTick entry is kept, and every later entry has its map')
})
