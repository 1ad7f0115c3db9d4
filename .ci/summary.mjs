// Reads tap's output of each run and prints the one plain line CI understands: "N passed, N failed, N skipped",
// summed over the runs. Arguments: file status [file status ...] (tap's output, its exit status).
// tap ends its TAP output with a line like `# { total: 91, pass: 89, fail: 2, skip: 1 }`.
// Before that line it lists every failed test point (file, then the nested names), because CI keeps only the tail
// of the output: a failure must be findable from the last lines alone.
import { readFileSync } from 'node:fs'

/** Every `not ok` line of a TAP text with the names of the subtests it sits in, outermost first. */
function failedPoints (text) {
  const stack = []
  const out = []
  for (const line of text.split('\n')) {
    const sub = /^( *)# Subtest: (.*)$/.exec(line)
    if (sub) {
      const depth = sub[1].length / 4
      stack.length = depth
      stack[depth] = sub[2]
      continue
    }
    const notOk = /^( *)not ok \d+ - (.*?)(?: # time=.*)?$/.exec(line)
    if (notOk && !/# (TODO|SKIP)/i.test(notOk[2])) {
      const depth = notOk[1].length / 4
      out.push([...stack.slice(0, depth), notOk[2]].join(' > '))
    }
  }
  // a parent's own `not ok` repeats its failed child's path: keep the deepest of each chain
  return out.filter((p, i) => !out.some((q, j) => j !== i && q.startsWith(`${p} > `)))
}

const args = process.argv.slice(2)
let pass = 0
let fail = 0
let skip = 0
let worst = 0
const failures = []
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
  for (const p of failedPoints(text)) failures.push(`run ${i / 2 + 1}: ${p}`)
}
if (failures.length > 0) console.log(`failed:\n${failures.map((f) => `  ${f.slice(0, 300)}`).join('\n')}`)
console.log(`${pass} passed, ${fail} failed, ${skip} skipped`)
process.exit(worst)
