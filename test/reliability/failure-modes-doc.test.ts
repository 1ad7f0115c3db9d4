import t from 'tap'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { renderFailureModes } from './failure-modes-doc.js'

// Always a check: the document is written by test/reliability/failure-modes-write.ts (`npm run docs:failure-modes`).
const DOC = fileURLToPath(new URL('../../docs/failure-modes.md', import.meta.url))

t.test('docs/failure-modes.md is the fault matrix and option table rendered', async (t) => {
  const rendered = renderFailureModes()
  t.match(rendered, /## Upstream faults\n[^]*\n\| EMQX stopped \(connection refused\) \|/, 'the rendering holds the fault matrix (else both sides could be empty)')
  let current = ''
  try { current = readFileSync(DOC, 'utf8') } catch { /* missing: reported below */ }
  t.equal(current, rendered, 'docs/failure-modes.md is out of date: run `npm run docs:failure-modes` and commit it')
})
