import { envOf, type OptionSpec } from './options.js'

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
  return lines.join('\n') + '\n'
}
