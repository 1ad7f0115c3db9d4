import { h, type VNode } from './ui-html.js'
import { relativeText, spanText } from './ui-words.js'

/** Small pieces of the live page's markup shared by its panels. */

export const num = (n: number | null | undefined): string =>
  typeof n === 'number' && isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: 2 }) : '\u2013'

export const plural = (n: number, one: string, many = `${one}s`): string => `${num(n)} ${n === 1 ? one : many}`

export function msText (n: number | null | undefined): string {
  if (typeof n !== 'number' || !isFinite(n)) return '\u2013'
  return n >= 10_000 ? spanText(n / 1000) : `${num(Math.round(n))} ms`
}

const pad2 = (n: number): string => (n < 10 ? '0' : '') + String(n)

/** HH:MM:SS of an ISO time in the server's zone; the page's script rewrites it in the browser's (data-clock). */
export function clockAt (iso: string | null | undefined): VNode {
  if (iso === null || iso === undefined) return '\u2013'
  const d = new Date(iso)
  if (isNaN(d.getTime())) return iso
  return h('time', { datetime: iso, title: iso, 'data-clock': '' }, `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`)
}

/** "12 s ago" (or "in 3 min") of an ISO time; the page's script moves it on every second (data-ago). */
export function when (iso: string | null | undefined, now: number): VNode {
  if (iso === null || iso === undefined) return '\u2013'
  return h('time', { datetime: iso, title: iso, 'data-ago': '' }, relativeText(iso, now))
}

export const pill = (state: string, text = state): VNode => h('span', { class: `pill s-${state}` }, text)

export const yesNo = (b: boolean, yes = 'yes', no = 'no'): VNode => h('span', { class: b ? 'yes' : 'no' }, b ? yes : no)

/** A definition list of [label, value] pairs; pairs whose value is undefined are left out, null shows a dash. */
export function defs (id: string, pairs: ReadonlyArray<readonly [string, VNode | null | undefined]>): VNode {
  const items: VNode[] = []
  for (const [label, value] of pairs) {
    if (value === undefined) continue
    items.push(h('dt', null, label), h('dd', null, value ?? '\u2013'))
  }
  return h('dl', { id }, ...items)
}

export const section = (id: string, title: string, wide: boolean, ...body: Array<VNode | null | undefined | false>): VNode =>
  h('section', wide ? { id, class: 'wide' } : { id }, h('h2', null, title), ...body)

/** A small SVG line of the values (oldest first), scaled to their own range. */
export function sparkline (values: ReadonlyArray<number | null>): VNode {
  const w = 170
  const ht = 34
  const v = values.filter((x): x is number => typeof x === 'number' && isFinite(x))
  const attrs = { class: 'spark', viewBox: `0 0 ${w} ${ht}`, role: 'img' }
  if (v.length < 2) return h('svg', attrs, h('line', { x1: '0', y1: String(ht - 1), x2: String(w), y2: String(ht - 1), class: 'base' }))
  const lo = Math.min(...v)
  const hi = Math.max(...v)
  const range = hi - lo === 0 ? 1 : hi - lo
  const pts = v.map((x, i) => `${(i * (w - 2) / (v.length - 1) + 1).toFixed(1)},${(ht - 2 - (x - lo) * (ht - 4) / range).toFixed(1)}`)
  return h('svg', attrs,
    h('polygon', { class: 'area', points: `1,${ht - 1} ${pts.join(' ')} ${w - 1},${ht - 1}` }),
    h('polyline', { points: pts.join(' ') }),
    h('title', null, `last ${v.length} readings: ${num(lo)} to ${num(hi)}`))
}
