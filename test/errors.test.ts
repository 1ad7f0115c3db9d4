import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import ts from 'typescript'
import { ConfigError, ErrorCodes, EVACUATION_ERROR_CODES, FAILURE_REASONS, LogCodes, LogEvents, SidecarError } from '../src/errors.js'
import { readSources } from './support/import-graph.js'

// Like fastify's errors test: every code in the registry is used, unique within its vocabulary and documented.
const root = fileURLToPath(new URL('..', import.meta.url))
const docs = readFileSync(`${root}/docs/errors.md`, 'utf8')
const all = readSources(`${root}/src`)
/** src/ without the registry itself, where every literal code stands once by definition */
const sources = [...all].filter(([file]) => file !== 'errors.ts').map(([, text]) => text).join('\n')

/** Each vocabulary with the heading of its section in docs/errors.md (`auth` and `transport` stand in two of them). */
const vocabularies: Array<[string, readonly string[], string]> = [
  ['ErrorCodes', Object.values(ErrorCodes), 'Errors thrown'],
  ['FAILURE_REASONS', FAILURE_REASONS, 'Check failure reasons'],
  ['EVACUATION_ERROR_CODES', EVACUATION_ERROR_CODES, 'Evacuation call failures'],
  ['LogCodes', Object.values(LogCodes), 'Log codes'],
  ['LogEvents', Object.values(LogEvents), 'Log events'],
]

/** docs/errors.md as `## heading` -> the codes in the first cell of its table rows (header and rule rows left out). */
function tableCodes (markdown: string): Map<string, string[]> {
  const sections = new Map<string, string[]>()
  let rows: string[] | undefined
  for (const line of markdown.split('\n')) {
    const heading = /^##\s+(.*)$/.exec(line)
    if (heading !== null) { rows = []; sections.set(heading[1] ?? '', rows); continue }
    if (!line.startsWith('|') || rows === undefined) continue
    const first = line.split('|')[1]?.trim() ?? ''
    const code = /^`([^`]+)`$/.exec(first)?.[1]
    if (code !== undefined) rows.push(code)
  }
  return sections
}

function section (sections: Map<string, string[]>, prefix: string): string[] | undefined {
  return [...sections].find(([heading]) => heading.startsWith(prefix))?.[1]
}

const documented = tableCodes(docs)

t.test('the table reader sees codes only in first cells, under their own heading', async (t) => {
  const sample = tableCodes('## A (x)\n| code | when |\n|---|---|\n| `one` | also `two` |\nprose `three`\n## B\n| `four` | x |\n')
  t.same([...sample], [['A (x)', ['one']], ['B', ['four']]])
})

for (const [name, codes, heading] of vocabularies) {
  t.test(`${name}: unique, and its table in docs/errors.md lists exactly its codes`, async (t) => {
    t.equal(new Set(codes).size, codes.length, 'no code twice')
    const rows = section(documented, heading)
    if (rows === undefined) return t.fail(`docs/errors.md has a section "## ${heading}..."`)
    t.equal(new Set(rows).size, rows.length, 'no row twice')
    t.same([...rows].sort(), [...codes].sort(), `the rows under "## ${heading}" are ${name}, no more, no fewer`)
  })
}

t.test('ErrorCodes: each value is SIDECAR_ERR_ + its key, and src/ uses it', async (t) => {
  for (const [key, code] of Object.entries(ErrorCodes)) {
    t.equal(code, `SIDECAR_ERR_${key}`)
    t.ok(sources.includes(`ErrorCodes.${key}`) || (all.get('errors.ts') ?? '').includes(`ErrorCodes.${key}`), `ErrorCodes.${key} is used`)
  }
})

t.test('LogCodes: src/ logs each one', async (t) => {
  for (const key of Object.keys(LogCodes)) t.ok(sources.includes(`LogCodes.${key}`), `LogCodes.${key} is used`)
})

t.test('LogEvents: each value is its key in lower case, and src/ logs each one', async (t) => {
  for (const [key, event] of Object.entries(LogEvents)) {
    t.equal(event, key.toLowerCase())
    t.ok(sources.includes(`LogEvents.${key}`), `LogEvents.${key} is used`)
  }
})

/** The value of every `event:` property of an object literal in a source file (the log lines' objects), parsed, not grepped. */
function eventFields (text: string): ts.Expression[] {
  const found: ts.Expression[] = []
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAssignment(node) && ts.isObjectLiteralExpression(node.parent) && node.name.getText() === 'event') {
      found.push(node.initializer)
    }
    ts.forEachChild(node, visit)
  }
  visit(ts.createSourceFile('x.ts', text, ts.ScriptTarget.Latest, true))
  return found
}

/** A string literal or a template anywhere in the value: a name the registry does not hold. */
function hasLiteral (node: ts.Node): boolean {
  return ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node) ||
    ts.forEachChild(node, (child) => hasLiteral(child) ? true : undefined) === true
}

/** LogEvents.X, a choice between them, or one of the two tables keyed by LogEvents (nginx stage, evacuation end) */
const fromRegistry = (value: string): boolean => /^(LogEvents\.[A-Z_]+|STAGE_EVENTS\[stage\]|finishEvent\(p\.phase\))$/
  .test(value) || /^\w+ \? LogEvents\.[A-Z_]+ : LogEvents\.[A-Z_]+$/.test(value)

t.test('every `event:` in src/ is a LogEvents name: no literal, no template (a new event cannot bypass the registry)', async (t) => {
  const template = '`y_$' + '{b}`'
  const sample = eventFields(`log.info({ event: 'x', a }); log.warn({ a, event: ${template} }); f = (event: K) => 1; o = { ...c, event: LogEvents.Z }`)
  t.same(sample.map((e) => e.getText()), ["'x'", template, 'LogEvents.Z'], 'the scan sees object properties, not parameters')
  t.same(sample.map((e) => hasLiteral(e)), [true, true, false], 'and tells a literal from a registry name')
  const fields = [...all].flatMap(([file, text]) => eventFields(text).map((value) => ({ file, value })))
  t.ok(fields.length >= 40, `the scan sees the log lines (${fields.length} event fields)`)
  for (const { file, value } of fields) {
    t.ok(!hasLiteral(value) && fromRegistry(value.getText()), `src/${file}: event: ${value.getText()} comes from LogEvents`)
  }
})

t.test('failure reasons and evacuation codes: src/ produces each one', async (t) => {
  // produced, not merely mentioned: a reason is made by failure('<r>', ...) or `reason = '<r>'`, an evacuation code by `code: '<c>'`
  for (const reason of FAILURE_REASONS) t.ok(sources.includes(`failure('${reason}'`) || sources.includes(`reason = '${reason}'`), `reason '${reason}' is produced`)
  for (const code of EVACUATION_ERROR_CODES) t.ok(sources.includes(`code: '${code}'`), `evacuation code '${code}' is produced`)
})

t.test('errors carry their code and name', async (t) => {
  const e = new ConfigError(['a', 'b'])
  t.ok(e instanceof SidecarError)
  t.equal(e.code, ErrorCodes.CONFIG_INVALID)
  t.equal(e.name, 'ConfigError')
  t.same(e.problems, ['a', 'b'])
  t.match(e.message, /invalid configuration:\n {2}- a\n {2}- b/)
})

t.test('every literal `code:` in src/ belongs to a vocabulary of the registry (a new code cannot bypass it)', async (t) => {
  const known = new Set(vocabularies.flatMap(([, codes]) => codes))
  const literals = [...sources.matchAll(/\bcode: '([a-z_]+)'/g)].map((m) => m[1] ?? '')
  t.ok(literals.length > 0, 'the scan sees literal codes')
  for (const code of new Set(literals)) t.ok(known.has(code), `'${code}' is registered in src/errors.ts`)
})
