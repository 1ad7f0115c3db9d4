import { DOCTOR_CODES, type DoctorCode, type Severity } from './codes.js'

/** One finding, as `--json` prints it: where, how bad, which rule, what the next evacuation does, and the line to write. */
export interface Finding {
  readonly file: string
  /** 1-based; 0 for what a running sidecar reported (`--sidecar`) */
  readonly line: number
  readonly severity: Severity
  readonly code: DoctorCode
  readonly message: string
  readonly fix: string
}

/** A finding of `code`, with the severity the registry gives it. */
export function finding (code: DoctorCode, file: string, line: number, message: string, fix: string): Finding {
  return { file, line, severity: DOCTOR_CODES[code], code, message, fix }
}

/** By file, then line, then code; one finding per file, line and code (a file included twice is read twice). */
export function sortFindings (all: readonly Finding[]): Finding[] {
  const seen = new Set<string>()
  const unique = all.filter((f) => {
    const key = `${f.file}\0${f.line}\0${f.code}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
  return unique.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.code.localeCompare(b.code))
}

/** Input the doctor cannot read (missing file, malformed YAML, unbalanced braces): exit 2 with one line. */
export class DoctorInputError extends Error {
  constructor (readonly file: string, readonly line: number | undefined, detail: string) {
    super(`${file}${line !== undefined ? `:${line}` : ''}: ${detail}`)
    this.name = 'DoctorInputError'
  }
}
