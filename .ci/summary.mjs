// Reads tap's output of each run and prints the one plain line CI understands: "N passed, N failed, N skipped",
// summed over the runs. Arguments: file status [file status ...] (tap's output, its exit status).
// tap ends its TAP output with a line like `# { total: 91, pass: 89, fail: 2, skip: 1 }`.
import { readFileSync } from 'node:fs'

const args = process.argv.slice(2)
let pass = 0
let fail = 0
let skip = 0
let worst = 0
for (let i = 0; i < args.length; i += 2) {
  const status = Number(args[i + 1]) || 0
  const text = readFileSync(args[i], 'utf8')
  const last = text.split('\n').filter((l) => /^# \{ total: \d+/.test(l)).at(-1)
  const num = (key) => Number(new RegExp(`${key}: (\\d+)`).exec(last ?? '')?.[1] ?? 0)
  // no summary line (tap did not run) or a non-zero exit with no failed test counted: one failure for the run
  const failed = num('fail') + (last === undefined || (status !== 0 && num('fail') === 0) ? 1 : 0)
  pass += num('pass')
  fail += failed
  skip += num('skip')
  if (failed > 0) worst = status || 1
}
console.log(`${pass} passed, ${fail} failed, ${skip} skipped`)
process.exit(worst)
