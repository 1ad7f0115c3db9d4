import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { ConfigError, ErrorCodes, EVACUATION_ERROR_CODES, FAILURE_REASONS, LogCodes, SidecarError } from '../src/errors.js'
import { readSources } from './support/import-graph.js'

// Like fastify's errors test: every code in the registry is used, unique within its vocabulary and documented.
const root = fileURLToPath(new URL('..', import.meta.url))
const docs = readFileSync(`${root}/docs/errors.md`, 'utf8')
const all = readSources(`${root}/src`)
/** src/ without the registry itself, where every literal code stands once by definition */
const sources = [...all].filter(([file]) => file !== 'errors.ts').map(([, text]) => text).join('\n')

const vocabularies: Array<[string, readonly string[]]> = [
  ['ErrorCodes', Object.values(ErrorCodes)],
  ['FAILURE_REASONS', FAILURE_REASONS],
  ['EVACUATION_ERROR_CODES', EVACUATION_ERROR_CODES],
  ['LogCodes', Object.values(LogCodes)],
]

for (const [name, codes] of vocabularies) {
  t.test(`${name}: unique and documented`, async (t) => {
    t.equal(new Set(codes).size, codes.length, 'no code twice')
    for (const code of codes) t.ok(docs.includes(`| \`${code}\` |`), `${code} has a row in docs/errors.md`)
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

t.test('failure reasons and evacuation codes: src/ produces each one', async (t) => {
  for (const code of [...FAILURE_REASONS, ...EVACUATION_ERROR_CODES]) t.ok(sources.includes(`'${code}'`), `'${code}' is produced`)
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
