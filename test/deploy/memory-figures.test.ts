import { readFileSync } from 'node:fs'
import t from 'tap'

/**
 * One source for the sidecar's memory figures: bench/results.md, which `npm run bench` writes. deploy/README.md's
 * Memory table (from which test/deploy/memory.test.ts sizes the manifests) copies its figures and must agree with
 * it cell by cell; the Dockerfile and bench/README.md point at them and hold no MiB figure of their own.
 */
const read = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8')
const cells = (line: string): string[] => line.split('|').slice(1, -1).map((c) => c.trim())
const section = (text: string, heading: string): string => {
  const start = text.indexOf(heading)
  return start === -1 ? '' : text.slice(start, text.indexOf('\n#', start + heading.length))
}

t.test("deploy/README.md's Memory table is bench/results.md's figures", async (t) => {
  const results = read('bench/results.md')
  const storm = section(results, '### Footprint under a checker storm').split('\n').filter((l) => l.startsWith('| v') && cells(l)[1] === 'sidecar')
  const idleLines = section(results, '### Idle RSS against the floor').split('\n')
  const idle = idleLines.filter((l) => l.startsWith('| v'))
  // by its heading: the bench adds columns (sidecar / floor, 2026-12-07)
  const peakAt = cells(idleLines.find((l) => l.startsWith('| node |')) ?? '').indexOf('sidecar start-up peak (VmHWM)')
  t.ok(peakAt > 0, 'the idle table has a start-up peak column')
  const readme = section(read('deploy/README.md'), '## Memory').split('\n').filter((l) => /^\| \d+\.\d+\.\d+/.test(l))
  t.ok(storm.length >= 2 && readme.length >= 2, `${storm.length} storm rows in bench/results.md, ${readme.length} rows in deploy/README.md`)
  for (const row of readme) {
    const [node = '', idleRss, startPeak, stormPeak, later] = cells(row)
    const version = `v${node.split(' ')[0] ?? ''}`
    const s = storm.map(cells).find((c) => c[0] === version)
    const i = idle.map(cells).find((c) => c[0] === version)
    if (s === undefined || i === undefined) { t.fail(`bench/results.md has no sidecar rows for ${version}`); continue }
    const mib = (text: string | undefined): string => `${text ?? '?'}`.replace(/^([\d.]+)/, '$1 MiB')
    t.equal(idleRss, mib(s[2]), `${version}: idle RSS`)
    t.equal(startPeak, mib(i[peakAt]), `${version}: start-up peak (VmHWM)`)
    t.equal(stormPeak, mib(s[3]), `${version}: peak under the storm`)
    t.equal(later, mib(s[5]), `${version}: 15 s later`)
  }
})

t.test('the Dockerfile and bench/README.md point at the figures instead of copying them', async (t) => {
  const comments = read('Dockerfile').split('\n').filter((l) => l.startsWith('#')).join('\n')
  t.notMatch(comments, /\d+ MiB/, 'no MiB figure in the Dockerfile\'s comments')
  t.match(comments, /bench\/results\.md/, 'it names the source')
  t.notMatch(section(read('bench/README.md'), 'Node flags'), /peaks at \d+ MiB \(deploy\/README/, 'no copied storm peak in bench/README.md')
})
