import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import ts from 'typescript'

// main.ts is wiring in named steps (the state, the domain, the listeners, the watchers, the shutdown), each
// readable alone: no function in it runs over 60 lines (issue #42), nested ones and arrow functions included.
const LIMIT = 60
const text = readFileSync(fileURLToPath(new URL('../../src/main.ts', import.meta.url)), 'utf8')

/** A function's name as a reader finds it: declared, or the variable, property or method it is assigned to. */
function nameOf (fn: ts.SignatureDeclaration, file: ts.SourceFile): string {
  const line = file.getLineAndCharacterOfPosition(fn.getStart(file)).line + 1
  const own = fn.name ?? (ts.isVariableDeclaration(fn.parent) || ts.isPropertyAssignment(fn.parent) ? fn.parent.name : undefined)
  return `${own !== undefined ? own.getText(file) : '<anonymous>'} (line ${line})`
}

/** Every function-like node of a source file (declarations, expressions, arrows, methods, accessors) and its length in lines. */
export function functionLengths (source: string): Map<string, number> {
  const file = ts.createSourceFile('main.ts', source, ts.ScriptTarget.Latest, true)
  const lengths = new Map<string, number>()
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
      const from = file.getLineAndCharacterOfPosition(node.getStart(file)).line
      const to = file.getLineAndCharacterOfPosition(node.getEnd()).line
      lengths.set(nameOf(node, file), to - from + 1)
    }
    ts.forEachChild(node, visit)
  }
  visit(file)
  return lengths
}

t.test('the length reader measures every kind of function, nested ones too', async (t) => {
  const sample = 'function a () {\n  x()\n}\nasync function b (\n  y\n): void {\n  const c = () => {\n    z()\n  }\n}\n' +
    'const o = { m () { return 1 }, p: function () {\n} }\ntype F = (x: number) => void\n'
  t.same([...functionLengths(sample)], [
    ['a (line 1)', 3], ['b (line 4)', 7], ['c (line 7)', 3], ['m (line 11)', 1], ['p (line 11)', 2],
  ], 'declarations, arrows, methods and function expressions; a function type has no body and is no function')
})

t.test(`no function in src/main.ts runs over ${LIMIT} lines`, async (t) => {
  const lengths = functionLengths(text)
  t.ok([...lengths.keys()].some((name) => name.startsWith('startSidecar ')) && lengths.size >= 10, `${lengths.size} functions read`)
  const longest = Math.max(...lengths.values())
  for (const [name, lines] of lengths) t.ok(lines <= LIMIT, `${name}: ${lines} lines (at most ${LIMIT})`)
  t.comment(`the longest is ${longest} lines`)
})
