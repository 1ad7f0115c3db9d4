/**
 * The subset of .dockerignore semantics the repository uses: one pattern per line, `#` comments,
 * `*` and `?` within one path segment, `**` across segments, `!` re-includes; the last matching line
 * wins, and a pattern that matches a directory also matches everything below it (Docker's rules,
 * https://docs.docker.com/build/concepts/context/#dockerignore-files).
 */
interface Rule { readonly exclude: boolean, readonly re: RegExp }

function toRegExp (pattern: string): RegExp {
  const clean = pattern.replace(/^\/+/, '').replace(/\/+$/, '')
  let re = ''
  for (let i = 0; i < clean.length; i++) {
    const c = clean[i] as string
    if (c === '*' && clean[i + 1] === '*') { re += '.*'; i++; if (clean[i + 1] === '/') i++ } else if (c === '*') re += '[^/]*'
    else if (c === '?') re += '[^/]'
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&')
  }
  // a match on a directory covers its contents
  return new RegExp(`^${re}(/.*)?$`)
}

export function parseDockerignore (text: string): Rule[] {
  const rules: Rule[] = []
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const exclude = !line.startsWith('!')
    rules.push({ exclude, re: toRegExp(exclude ? line : line.slice(1).trim()) })
  }
  return rules
}

/** Whether a context-relative path (e.g. `src/cli.ts`) is left out of the build context. */
export function isExcluded (rules: readonly Rule[], path: string): boolean {
  let excluded = false
  for (const r of rules) if (r.re.test(path)) excluded = r.exclude
  return excluded
}
