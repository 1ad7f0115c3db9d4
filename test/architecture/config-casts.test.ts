import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import ts from 'typescript'

// Config values are typed from the option tables (OptionValues): a flag name typed wrong does not compile.
// A cast would let a typo through again (`undefined as number`), so the few left are counted and held.
const MAX_CASTS = 8
const dir = fileURLToPath(new URL('../../src/config', import.meta.url))

/** The type assertions (`as const` left out) in one file's text, each as `file:line as Type`. */
function castsIn (file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true)
  const found: string[] = []
  const visit = (node: ts.Node): void => {
    if ((ts.isAsExpression(node) || ts.isTypeAssertionExpression(node)) && node.type.getText(source) !== 'const') {
      found.push(`${file}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1} as ${node.type.getText(source)}`)
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

const casts = (file: string): string[] => castsIn(file, readFileSync(`${dir}/${file}`, 'utf8'))

t.test(`src/config holds at most ${MAX_CASTS} type assertions`, async (t) => {
  const all = readdirSync(dir).filter((f) => f.endsWith('.ts')).flatMap(casts)
  t.ok(all.length <= MAX_CASTS, `${all.length} casts:\n${all.join('\n')}`)
  t.comment(all.join('\n'))
})

t.test('the counter the limit uses sees a planted cast (and not `as const`)', async (t) => {
  t.same(castsIn('x.ts', 'const a = b as number\nconst c = [1] as const\nconst d = <string>e'), ['x.ts:1 as number', 'x.ts:3 as string'])
  t.ok(readdirSync(dir).filter((f) => f.endsWith('.ts')).length > 0, 'src/config has files to scan')
})
