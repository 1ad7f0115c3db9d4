import { readFileSync } from 'node:fs'
import t from 'tap'
import { serveOptions } from '../../src/config/options.js'
import { envOf } from '../../src/config/table.js'

t.test('every sidecar flag, and the -file form of each secret, is in the README configuration table', async (t) => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
  const start = readme.indexOf('## Configuration')
  const table = readme.slice(start, readme.indexOf('\n## ', start + 1))
  // `--rebalance-{abs,rel}-{conn,sess}-threshold` stands for four flags
  const expanded = table.replace(/--rebalance-\{abs,rel\}-\{conn,sess\}-threshold/g, ['abs-conn', 'rel-conn', 'abs-sess', 'rel-sess'].map((x) => `\`--rebalance-${x}-threshold\``).join(' '))
  const missing: string[] = []
  for (const o of serveOptions) {
    if (!new RegExp(`\`--${o.flag}\`|--${o.flag}[,\` ]`).test(expanded)) missing.push(`--${o.flag}`)
    if (o.fileVariant === true) {
      if (!expanded.includes(`\`--${o.flag}-file\``)) missing.push(`--${o.flag}-file`)
      if (!expanded.includes(`\`${envOf(o)}_FILE\``)) missing.push(`${envOf(o)}_FILE`)
    }
  }
  t.same(missing, [], 'flags missing from the README table')
})
