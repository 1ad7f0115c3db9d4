import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { basename, dirname, isAbsolute, join } from 'node:path'
import { errnoCode } from '../config/parse.js'
import { DoctorInputError } from './finding.js'

/** One nginx directive, with the file and line it came from (an included file's directives keep theirs). */
export interface Directive {
  readonly name: string
  readonly args: readonly string[]
  readonly file: string
  readonly line: number
  /** the block's directives, for `stream { ... }`, `upstream x { ... }`, `server { ... }` */
  readonly block?: readonly Directive[]
  /** for `include`: whether the file was found (unresolved includes leave what they define unknown) */
  readonly resolved?: boolean
}

interface Token { readonly text: string, readonly line: number, readonly quoted: boolean }

function tokenize (file: string, text: string): Token[] {
  const tokens: Token[] = []
  let line = 1
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? ''
    if (c === '\n') { line++; continue }
    if (/\s/.test(c)) continue
    if (c === '#') { while (i + 1 < text.length && text[i + 1] !== '\n') i++; continue }
    if (c === '{' || c === '}' || c === ';') { tokens.push({ text: c, line, quoted: false }); continue }
    const start = line
    let word = ''
    if (c === '"' || c === '\'') {
      let j = i + 1
      for (; j < text.length && text[j] !== c; j++) {
        if (text[j] === '\\' && j + 1 < text.length) j++
        if (text[j] === '\n') line++
        word += text[j] ?? ''
      }
      if (j >= text.length) throw new DoctorInputError(file, start, `unterminated quoted string (${c})`)
      i = j
      tokens.push({ text: word, line: start, quoted: true })
      continue
    }
    let j = i
    for (; j < text.length && !/[\s{};]/.test(text[j] ?? ''); j++) word += text[j] ?? ''
    // `${var}` keeps its braces: nginx only ends a word at `{` after a blank
    while (word.endsWith('$') && text[j] === '{') { const end = text.indexOf('}', j); word += text.slice(j, end + 1); j = end + 1 }
    i = j - 1
    tokens.push({ text: word, line: start, quoted: false })
  }
  return tokens
}

/** The files an include names: a relative path from the including file's directory, `*` as a glob in the last part. */
function includeTargets (from: string, pattern: string): string[] {
  const path = isAbsolute(pattern) ? pattern : join(dirname(from), pattern)
  if (!basename(path).includes('*')) {
    if (existsSync(path)) return [path]
    // an absolute path of the target host (/etc/nginx/x.conf) next to the file itself, as in the shipped nginx/ folder
    const beside = join(dirname(from), basename(path))
    return isAbsolute(pattern) && existsSync(beside) ? [beside] : []
  }
  const dir = dirname(path)
  const re = new RegExp(`^${basename(path).replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`)
  try { return readdirSync(dir).filter((f) => re.test(f)).sort().map((f) => join(dir, f)) } catch { return [] }
}

/**
 * An nginx config file and the files it includes, as a tree of directives.
 * Throws DoctorInputError for what `nginx -t` refuses to parse.
 */
export function parseNginx (file: string, text: string, seen: ReadonlySet<string> = new Set([file])): Directive[] {
  const tokens = tokenize(file, text)
  let at = 0
  const parseBlock = (open: Token | undefined): Directive[] => {
    const out: Directive[] = []
    let words: Token[] = []
    while (at < tokens.length) {
      const t = tokens[at++] as Token
      if (!t.quoted && t.text === '}') {
        if (open === undefined) throw new DoctorInputError(file, t.line, 'unexpected "}"')
        if (words.length > 0) throw new DoctorInputError(file, t.line, `"${words[0]?.text ?? ''}" has no ";" before "}"`)
        return out
      }
      if (!t.quoted && (t.text === ';' || t.text === '{')) {
        const head = words[0]
        if (head === undefined) throw new DoctorInputError(file, t.line, `unexpected "${t.text}"`)
        const args = words.slice(1).map((w) => w.text)
        if (t.text === '{') out.push({ name: head.text, args, file, line: head.line, block: parseBlock(t) })
        else if (head.text === 'include' && args[0] !== undefined) out.push(...include(file, head.line, args[0], seen))
        else out.push({ name: head.text, args, file, line: head.line })
        words = []
        continue
      }
      words.push(t)
    }
    const last = words[0]
    if (last !== undefined) throw new DoctorInputError(file, last.line, `"${last.text}" has no ";" before the end of the file`)
    if (open !== undefined) throw new DoctorInputError(file, open.line, '"{" is never closed')
    return out
  }
  return parseBlock(undefined)
}

function include (file: string, line: number, pattern: string, seen: ReadonlySet<string>): Directive[] {
  const targets = includeTargets(file, pattern).filter((f) => !seen.has(f))
  const out: Directive[] = [{ name: 'include', args: [pattern], file, line, resolved: targets.length > 0 }]
  for (const target of targets) {
    let text: string
    try { text = readFileSync(target, 'utf8') } catch (err) {
      throw new DoctorInputError(file, line, `cannot read included ${target} (${errnoCode(err)})`)
    }
    out.push(...parseNginx(target, text, new Set([...seen, target])))
  }
  return out
}

export interface Walked { readonly d: Directive, readonly parents: readonly Directive[] }

/** Every directive of a tree, depth first, with the blocks it stands in (outermost first). */
export function * walk (tree: readonly Directive[], parents: readonly Directive[] = []): Generator<Walked> {
  for (const d of tree) {
    yield { d, parents }
    if (d.block !== undefined) yield * walk(d.block, [...parents, d])
  }
}

/** An nginx time (`10m`, `350s`, `500ms`, `1h`; a bare number is seconds) in ms, undefined for anything else. */
export function nginxTime (text: string | undefined): number | undefined {
  const m = /^(\d+)(ms|s|m|h|d|w|M|y)?$/.exec(text ?? '')
  if (m === null) return undefined
  const units = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, M: 2_592_000_000, y: 31_536_000_000 }
  const unit = units[(m[2] ?? 's') as keyof typeof units]
  return Number(m[1]) * unit
}
