import type { Finding } from './finding.js'

/** `--json`: exactly {"findings":[{file, line, severity, code, message, fix}]}. */
export function findingsJson (findings: readonly Finding[]): string {
  const rows = findings.map((f) => ({ file: f.file, line: f.line, severity: f.severity, code: f.code, message: f.message, fix: f.fix }))
  return `${JSON.stringify({ findings: rows }, null, 2)}\n`
}

/** The message column wraps at word boundaries, so a finding reads as a paragraph; the fix stays one line to copy. */
const MESSAGE_WIDTH = 90

function wrap (text: string, width: number): string[] {
  const out: string[] = []
  let line = ''
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      out.push(line)
      line = word
    } else line = line === '' ? word : `${line} ${word}`
  }
  return [...out, line]
}

/** The table for people: where, severity, code; under each, what the next evacuation does and the line to write. */
export function findingsTable (findings: readonly Finding[], files: number): string {
  if (findings.length === 0) return `no findings in ${files} file${files === 1 ? '' : 's'}: nothing here defeats a drain\n`
  const where = (f: Finding): string => (f.line > 0 ? `${f.file}:${f.line}` : f.file)
  const w1 = Math.max(8, ...findings.map((f) => where(f).length))
  const w3 = Math.max(4, ...findings.map((f) => f.code.length))
  const lines = [`${'LOCATION'.padEnd(w1)}  SEVERITY  ${'CODE'.padEnd(w3)}  AT THE NEXT EVACUATION / FIX`]
  const indent = ''.padEnd(w1 + w3 + 14)
  for (const f of findings) {
    const [first = '', ...rest] = wrap(f.message, MESSAGE_WIDTH)
    lines.push(`${where(f).padEnd(w1)}  ${f.severity.padEnd(8)}  ${f.code.padEnd(w3)}  ${first}`, ...rest.map((l) => indent + l))
    lines.push(`${indent}fix: ${f.fix}`)
  }
  const errors = findings.filter((f) => f.severity === 'error').length
  const warnings = findings.length - errors
  const n = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`
  lines.push('', `${n(errors, 'error')}, ${n(warnings, 'warning')} in ${n(files, 'file')} (docs/doctor.md explains each code)`)
  return `${lines.join('\n')}\n`
}
