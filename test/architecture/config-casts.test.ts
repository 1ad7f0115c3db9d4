import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import ts from 'typescript'

// Config values are typed from the option tables (OptionValues): a flag name typed wrong does not compile.
// A cast would let a typo through again (`undefined as number`), so the few left are counted and held.
const MAX_CASTS = 8
const dir = fileURLToPath(new URL('../../src/config', import.meta.url))

function casts (file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(`${dir}/${file}`, 'utf8'), ts.ScriptTarget.ES2022, true)
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

t.test(`src/config holds at most ${MAX_CASTS} type assertions`, async (t) => {
  const all = readdirSync(dir).filter((f) => f.endsWith('.ts')).flatMap(casts)
  t.ok(all.length <= MAX_CASTS, `${all.length} casts:\n${all.join('\n')}`)
  t.comment(all.join('\n'))
})

t.test('the counter sees a cast', async (t) => {
  const source = ts.createSourceFile('x.ts', 'const a = b as number; const c = [1] as const', ts.ScriptTarget.ES2022, true)
  let n = 0
  const visit = (node: ts.Node): void => { if (ts.isAsExpression(node) && node.type.getText(source) !== 'const') n++; ts.forEachChild(node, visit) }
  visit(source)
  t.equal(n, 1)
})
