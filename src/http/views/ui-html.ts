/**
 * The live page's markup as data: a node is text or [tag, attributes, ...children]. The server writes it as
 * HTML for the first paint (GET /ui) and sends the same tree in the `view` events of /events, from which the
 * page's script builds elements (createElement, setAttribute, text nodes: nothing from the network is ever
 * parsed as HTML). One renderer for both, so a page is the same whether it was served or updated.
 */
export type Attrs = Readonly<Record<string, string>>
export type VNode = string | readonly [tag: string, attrs: Attrs | null, ...children: VNode[]]

/** The tags and attributes the page may build; the script enforces the same lists (UI_TAGS, UI_ATTRS). */
export const UI_TAGS = /^(?:div|span|p|strong|h2|section|table|thead|tbody|tr|th|td|ol|li|dl|dt|dd|time|svg|polyline|polygon|line|title)$/
export const UI_ATTRS = /^(?:class|id|title|datetime|hidden|colspan|role|viewBox|points|x1|x2|y1|y2|data-[a-z]+)$/

export function h (tag: string, attrs: Attrs | null, ...children: ReadonlyArray<VNode | null | undefined | false>): VNode {
  return [tag, attrs, ...children.filter((c): c is VNode => c !== null && c !== undefined && c !== false)]
}

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c)

/** HTML of a tree; a tag or attribute outside the lists above throws (a programming error, caught by the tests). */
export function toHtml (node: VNode): string {
  if (typeof node === 'string') return escapeHtml(node)
  const [tag, attrs, ...children] = node
  if (!UI_TAGS.test(tag)) throw new Error(`the live page builds no <${tag}>`)
  let open = `<${tag}`
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (!UI_ATTRS.test(name)) throw new Error(`the live page sets no ${name} attribute`)
    open += ` ${name}="${escapeHtml(value)}"`
  }
  return `${open}>${children.map(toHtml).join('')}</${tag}>`
}
