import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import t from 'tap'

// main.ts is wiring in named steps (the state, the domain, the listeners, the watchers, the shutdown), each
// readable alone: no function in it runs over 60 lines.
const text = readFileSync(fileURLToPath(new URL('../../src/main.ts', import.meta.url)), 'utf8')

/** Top-level functions (declared at column 0, closed by a `}` at column 0) and their length in lines. */
export function functionLengths (source: string): Map<string, number> {
  const lengths = new Map<string, number>()
  const lines = source.split('\n')
  let open: { name: string, at: number } | undefined
  lines.forEach((line, i) => {
    const m = /^(?:export )?(?:async )?function (\w+)/.exec(line)
    if (m?.[1] !== undefined && open === undefined) open = { name: m[1], at: i }
    if (open !== undefined && line === '}') { lengths.set(open.name, i - open.at + 1); open = undefined }
  })
  return lengths
}

t.test('the length reader measures functions', async (t) => {
  t.same([...functionLengths('function a () {\n  x()\n}\nasync function b (\n  y\n): void {\n}\n')], [['a', 3], ['b', 4]])
})

t.test('no function in main.ts runs over 60 lines', async (t) => {
  const lengths = functionLengths(text)
  t.ok(lengths.has('startSidecar') && lengths.size >= 5, `${lengths.size} functions read`)
  t.same([...lengths].filter(([, n]) => n > 60), [])
})
