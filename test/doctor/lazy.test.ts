import t from 'tap'
import { fileURLToPath } from 'node:url'
import { readImportGraph } from '../support/import-graph.js'

// The long-running sidecar carries none of the doctor (its parsers, the yaml package): cli.ts loads
// commands/doctor.ts only when `doctor` runs.
const graph = readImportGraph(fileURLToPath(new URL('../../src', import.meta.url)))

function reach (from: string): Set<string> {
  const seen = new Set<string>()
  const todo = [from]
  for (let f = todo.pop(); f !== undefined; f = todo.pop()) {
    if (seen.has(f)) continue
    seen.add(f)
    todo.push(...(graph.files.get(f) ?? []))
  }
  return seen
}

t.test('serve\'s start-up imports nothing of src/doctor', async (t) => {
  const served = reach('commands/serve.ts')
  t.ok(served.has('main.ts') && served.size > 30, `the walk sees serve's tree (${served.size} files)`)
  t.same([...served].filter((f) => f.startsWith('doctor/') || f === 'commands/doctor.ts'), [])
  t.ok(reach('commands/doctor.ts').has('doctor/k8s-yaml.ts'), 'and the walk would see the doctor if serve imported it')
})
