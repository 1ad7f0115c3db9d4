import t from 'tap'
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { renderFailureModes } from './failure-modes-doc.js'

const DOC = fileURLToPath(new URL('../../docs/failure-modes.md', import.meta.url))

t.test('docs/failure-modes.md is the fault matrix and option table rendered', async (t) => {
  const rendered = renderFailureModes()
  if (process.env.FAILURE_MODES_WRITE === '1') {
    writeFileSync(DOC, rendered)
    t.pass(`wrote ${DOC}`)
    return
  }
  let current = ''
  try { current = readFileSync(DOC, 'utf8') } catch { /* missing: reported below */ }
  t.equal(current, rendered, 'docs/failure-modes.md is out of date: run `npm run docs:failure-modes` and commit it')
})
