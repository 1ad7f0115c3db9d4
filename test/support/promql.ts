/**
 * Just enough PromQL reading for the dashboard/alert checks: the metric selectors of an expression,
 * with their label matchers, and the labels named in by/without/on/ignoring clauses. Syntax itself
 * is checked by promtool; this only has to find names.
 */
export interface Selector { readonly metric: string, readonly matchers: ReadonlyArray<{ label: string, op: string, value: string }> }

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset',
  'sum', 'min', 'max', 'avg', 'count', 'stddev', 'stdvar', 'topk', 'bottomk', 'quantile', 'count_values', 'group', 'inf', 'nan'])
const LABEL_LISTS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right'])

function matchers (body: string): Selector['matchers'] {
  const out: Array<{ label: string, op: string, value: string }> = []
  for (const m of body.matchAll(/([a-zA-Z_]\w*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"/g)) out.push({ label: m[1] as string, op: m[2] as string, value: m[3] as string })
  return out
}

export function parsePromql (expr: string): { selectors: Selector[], groupingLabels: string[] } {
  const selectors: Selector[] = []
  const groupingLabels: string[] = []
  let i = 0
  let pendingList = false
  while (i < expr.length) {
    const c = expr[i] as string
    if (c === '"' || c === "'") { const end = expr.indexOf(c, i + 1); i = end === -1 ? expr.length : end + 1; continue }
    if (c === '[') { i = expr.indexOf(']', i) + 1; continue }
    if (c === '{') { // a bare {…} selector without a name
      const end = expr.indexOf('}', i)
      const ms = matchers(expr.slice(i + 1, end))
      const name = ms.find((m) => m.label === '__name__')?.value
      if (name !== undefined) selectors.push({ metric: name, matchers: ms })
      i = end + 1
      continue
    }
    if (c === '(' && pendingList) {
      const end = expr.indexOf(')', i)
      groupingLabels.push(...expr.slice(i + 1, end).split(',').map((s) => s.trim()).filter(Boolean))
      pendingList = false
      i = end + 1
      continue
    }
    const id = /^[a-zA-Z_:][\w:]*/.exec(expr.slice(i))
    if (id === null || (i > 0 && /[\w.]/.test(expr[i - 1] as string))) { i++; continue }
    const word = id[0]
    i += word.length
    const rest = expr.slice(i)
    if (LABEL_LISTS.has(word)) { pendingList = true; continue }
    if (KEYWORDS.has(word) || /^\s*\(/.test(rest)) continue
    const brace = /^\s*\{/.exec(rest)
    if (brace !== null) {
      const start = i + brace[0].length
      const end = expr.indexOf('}', start)
      selectors.push({ metric: word, matchers: matchers(expr.slice(start, end)) })
      i = end + 1
    } else selectors.push({ metric: word, matchers: [] })
  }
  return { selectors, groupingLabels }
}

/** metric name -> label name -> values seen, from a text exposition */
export function parseExposition (text: string): Map<string, Map<string, Set<string>>> {
  const out = new Map<string, Map<string, Set<string>>>()
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const m = /^([a-zA-Z_:][\w:]*)(\{(.*)\})?\s/.exec(line)
    if (m === null) continue
    const labels = out.get(m[1] as string) ?? new Map<string, Set<string>>()
    out.set(m[1] as string, labels)
    for (const lm of matchers(m[3] ?? '')) {
      const vals = labels.get(lm.label) ?? new Set<string>()
      vals.add(lm.value)
      labels.set(lm.label, vals)
    }
  }
  return out
}
