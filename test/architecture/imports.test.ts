import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { circles, folderGraph, folderOf, readImportGraph } from '../support/import-graph.js'

// Layers call downward only (docs/architecture.md): config is the floor, then the EMQX client, the state,
// and the servers and metrics on top. A circle, or an import that reaches a floor above its own, makes that untrue.
const src = fileURLToPath(new URL('../../src', import.meta.url))
const DOC = fileURLToPath(new URL('../../docs/architecture.md', import.meta.url))
const graph = readImportGraph(src)

/** The floors of src/, lowest first: a folder (or top-level file) imports only from floors below its own. */
export const FLOORS: ReadonlyArray<readonly string[]> = [
  ['errors.ts', 'duration.ts', 'version.ts', 'loop.ts', 'node-flags.ts', 'tick-map.ts', 'log-pretty.ts'],
  ['transport-error.ts', 'config'],
  ['log.ts', 'emqx', 'lifecycle'],
  ['state', 'checkers', 'emqx-double'],
  ['ack'],
  ['agent'],
  ['metrics'],
  ['http'],
  ['nginx', 'main.ts'],
  ['demo', 'doctor'],
  ['commands'],
  ['cli.ts'],
]
const floorOf = new Map(FLOORS.flatMap((names, i) => names.map((n) => [n, i] as const)))

/** The folder graph as docs/architecture.md shows it: floor by floor, top first. */
function rendered (): string {
  const folders = folderGraph(graph)
  const width = Math.max(...[...folders.keys()].map((f) => f.length))
  const lines: string[] = []
  for (let i = FLOORS.length - 1; i >= 0; i--) {
    for (const name of FLOORS[i] ?? []) {
      const targets = folders.get(name) ?? []
      lines.push(`${String(i).padStart(2)}  ${name.padEnd(width)}${targets.length > 0 ? ` -> ${targets.join(' ')}` : ''}`.trimEnd())
    }
  }
  return lines.join('\n')
}

t.test('the walker sees the tree (guards against a test that passes by reading nothing)', async (t) => {
  t.ok(graph.files.size > 50, `${graph.files.size} files`)
  t.ok(graph.files.get('main.ts')?.includes('state/store.ts'), 'main.ts imports state/store.ts')
})

t.test('no import circle between files in src/', async (t) => {
  t.same(circles(graph.files), [])
})

t.test('no import circle between folders in src/', async (t) => {
  t.same(circles(folderGraph(graph)), [])
})

t.test('every folder of src/ has a floor, and every import goes to a floor below its own', async (t) => {
  const folders = folderGraph(graph)
  t.same([...folders.keys()].filter((f) => !floorOf.has(f)), [], 'folders without a floor (add them to FLOORS and the doc)')
  const upward: string[] = []
  for (const [file, targets] of graph.files) {
    const from = folderOf(file)
    for (const target of targets) {
      const to = folderOf(target)
      if (to !== from && (floorOf.get(to) ?? Infinity) >= (floorOf.get(from) ?? -1)) upward.push(`${file} -> ${target}`)
    }
  }
  t.same(upward, [])
})

t.test('the floor check finds an import that runs up', async (t) => {
  // state (floor 3) importing http (floor 7) must be caught by the same comparison
  t.ok((floorOf.get('http') ?? 0) >= (floorOf.get('state') ?? 0))
  t.ok((floorOf.get('config') ?? 0) < (floorOf.get('emqx') ?? 0), 'config is below the EMQX client')
})

t.test('no re-export shims: a thing is imported from the file that defines it', async (t) => {
  const shims: string[] = []
  for (const file of graph.files.keys()) {
    const text = readFileSync(`${src}/${file}`, 'utf8')
    for (const m of text.matchAll(/^export\s+(?:type\s+)?(?:\{[^}]*\}|\*)\s+from\s+'([^']+)'/gm)) shims.push(`${file} re-exports ${m[1] ?? ''}`)
  }
  t.same(shims, [])
})

t.test('the circle finder finds circles', async (t) => {
  t.same(circles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]])), [['a', 'b', 'c']])
  t.same(circles(new Map([['a', ['b']], ['b', []]])), [])
})

t.test('docs/architecture.md draws the folder graph as it is', async (t) => {
  const doc = readFileSync(DOC, 'utf8')
  const block = /<!-- import-graph -->\n```\n([\s\S]*?)\n```/.exec(doc)?.[1]
  t.equal(block, rendered(), 'docs/architecture.md "Who imports whom" is out of date: paste the block printed below')
  if (block !== rendered()) t.comment(`\n${rendered()}`)
})
