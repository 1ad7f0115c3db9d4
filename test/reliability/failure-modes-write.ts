/**
 * Writes docs/failure-modes.md from the fault matrix and the option table: `npm run docs:failure-modes`.
 * Not a test (the include glob is test/**\/*.test.ts): failure-modes-doc.test.ts only checks the document.
 */
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { renderFailureModes } from './failure-modes-doc.js'

const DOC = fileURLToPath(new URL('../../docs/failure-modes.md', import.meta.url))
writeFileSync(DOC, renderFailureModes())
console.log(`wrote ${DOC}`)
