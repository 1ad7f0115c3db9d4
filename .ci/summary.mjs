// Reads tap's output and prints the one plain line CI understands: "N passed, N failed, N skipped".
// tap ends its TAP output with a line like `# { total: 91, pass: 89, fail: 2, skip: 1 }`.
import { readFileSync } from 'node:fs'

const [file, status] = process.argv.slice(2)
const text = readFileSync(file, 'utf8')
const lines = text.split('\n').filter((l) => /^# \{ total: \d+/.test(l))
const last = lines.at(-1)
const num = (key) => Number(new RegExp(`${key}: (\\d+)`).exec(last ?? '')?.[1] ?? 0)
if (last === undefined) {
  console.log('0 passed, 1 failed')
  process.exit(Number(status) || 1)
}
const failed = num('fail') + (Number(status) !== 0 && num('fail') === 0 ? 1 : 0)
console.log(`${num('pass')} passed, ${failed} failed, ${num('skip')} skipped`)
process.exit(Number(status))
