import { fileURLToPath } from 'node:url'
import t from 'tap'
import { circles, folderGraph, folderOf, readImportGraph } from '../support/import-graph.js'

// Layers call downward only (docs/architecture.md): config is the floor, then the EMQX client, the state,
// and the servers and metrics on top. A circle or a config file that reaches up would make that untrue.
const src = fileURLToPath(new URL('../../src', import.meta.url))
const graph = readImportGraph(src)

/** What src/config may import: itself and the floor files that import nothing of the domain. */
const CONFIG_MAY_IMPORT = new Set(['config', 'errors.ts', 'duration.ts'])

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

t.test('src/config imports no domain code', async (t) => {
  const reaching: string[] = []
  for (const [file, targets] of graph.files) {
    if (folderOf(file) !== 'config') continue
    for (const target of targets) if (!CONFIG_MAY_IMPORT.has(folderOf(target))) reaching.push(`${file} -> ${target}`)
  }
  t.same(reaching, [])
})

t.test('the circle finder finds circles', async (t) => {
  t.same(circles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]])), [['a', 'b', 'c']])
  t.same(circles(new Map([['a', ['b']], ['b', []]])), [])
})

t.test('print the folder graph (docs/architecture.md draws it)', async (t) => {
  for (const [folder, targets] of folderGraph(graph)) t.comment(`${folder} -> ${targets.join(' ')}`)
})
