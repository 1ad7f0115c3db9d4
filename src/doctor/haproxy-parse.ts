import { DoctorInputError } from './finding.js'

/** One configuration line of haproxy.cfg: its words (quotes removed, comment dropped) and where it stands. */
export interface CfgLine {
  readonly line: number
  readonly words: readonly string[]
}

export type SectionKind = 'global' | 'defaults' | 'frontend' | 'backend' | 'listen' | 'other'

export interface Section {
  readonly kind: SectionKind
  readonly name: string
  /** `defaults NAME from OTHER` / `backend b from NAME`: the defaults section it inherits from */
  readonly from?: string
  readonly line: number
  readonly lines: readonly CfgLine[]
}

const PROXIES = new Set(['defaults', 'frontend', 'backend', 'listen'])
const OTHERS = new Set(['peers', 'resolvers', 'userlist', 'mailers', 'program', 'http-errors', 'ring', 'cache', 'crt-store', 'traces'])

/** A line's words, as HAProxy splits them: blanks separate, quotes group, `\` escapes, `#` starts a comment. */
export function splitWords (text: string): string[] {
  const words: string[] = []
  let word: string | undefined
  let quote: string | undefined
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? ''
    if (quote !== undefined) {
      if (c === quote) quote = undefined
      else if (c === '\\' && quote === '"' && i + 1 < text.length) word += text[++i] ?? ''
      else word += c
      continue
    }
    if (c === '#') break
    if (c === ' ' || c === '\t') { if (word !== undefined) { words.push(word); word = undefined } continue }
    if (c === '"' || c === '\'') { quote = c; word ??= ''; continue }
    if (c === '\\' && i + 1 < text.length) { word = (word ?? '') + (text[++i] ?? ''); continue }
    word = (word ?? '') + c
  }
  if (word !== undefined) words.push(word)
  return words
}

/** haproxy.cfg -> its sections in order. Throws DoctorInputError for a line outside any section, as `haproxy -c` refuses it. */
export function parseHaproxy (file: string, text: string): Section[] {
  const sections: Section[] = []
  let current: { kind: SectionKind, name: string, from?: string, line: number, lines: CfgLine[] } | undefined
  text.split(/\r?\n/).forEach((raw, i) => {
    const words = splitWords(raw)
    const first = words[0]
    if (first === undefined) return
    const line = i + 1
    if (first === 'global' || PROXIES.has(first) || OTHERS.has(first)) {
      const fromAt = words.indexOf('from')
      const name = words[1] !== undefined && words[1] !== 'from' ? words[1] : ''
      const kind: SectionKind = first === 'global' || PROXIES.has(first) ? first as SectionKind : 'other'
      current = { kind, name, line, lines: [], ...(fromAt > 0 && words[fromAt + 1] !== undefined ? { from: words[fromAt + 1] } : {}) }
      sections.push(current)
      return
    }
    if (current === undefined) throw new DoctorInputError(file, line, `"${first}" outside any section: not a haproxy.cfg HAProxy accepts`)
    current.lines.push({ line, words })
  })
  return sections
}

/**
 * A time as HAProxy reads it (`1000` is milliseconds, `2s`, `500ms`, `1m`, `1h`, `1d`, `100us`), in ms;
 * undefined for anything else.
 */
export function haproxyTime (text: string | undefined): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(us|ms|s|m|h|d)?$/.exec(text ?? '')
  if (m === null) return undefined
  const n = Number(m[1])
  const unit = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] ?? 'ms'] ?? 1
  return n * unit
}
