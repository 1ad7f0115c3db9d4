import { DURATION_RULE } from '../duration.js'
import { envOf, type OptionSpec } from './table.js'

/** The --help text, generated from the option table so it cannot drift from what is parsed. */
export function helpText (usage: string, summary: string, specs: readonly OptionSpec[]): string {
  const lines = [`Usage: ${usage}`, '', summary, '', 'Options (flag / environment variable, default):']
  for (const s of specs) {
    const env = envOf(s)
    const file = s.fileVariant === true ? ` | --${s.flag}-file / ${env}_FILE` : ''
    lines.push(`  --${s.flag} / ${env}${file}${s.default !== undefined ? `  (default ${s.default})` : ''}`)
    lines.push(`      ${s.help}`)
  }
  lines.push('  --check-config   validate the configuration, print it (secrets redacted) and exit')
  lines.push('  --help, --version')
  if (specs.some((s) => s.kind === 'duration')) lines.push('', `Durations: ${DURATION_RULE} (500ms, 2s, 1m, 1h; only 0 may go without).`)
  return lines.join('\n') + '\n'
}
