/**
 * The live page's script, part 1: DOM and formatting helpers, the sparkline. Plain browser JavaScript in a
 * string (no build step); every value from the sidecar is set as text (textContent), never parsed as HTML:
 * user agents and messages come from the network.
 */
export const UI_SCRIPT_LIB = String.raw`
var root = document.documentElement
function $ (id) { return document.getElementById(id) }
function el (tag, cls, text) {
  var e = document.createElement(tag)
  if (cls) e.className = cls
  if (text !== undefined && text !== null) e.textContent = String(text)
  return e
}
function add (parent) {
  for (var i = 1; i < arguments.length; i++) {
    var c = arguments[i]
    if (c === null || c === undefined) continue
    parent.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)))
  }
  return parent
}
function clear (node) { while (node.firstChild) node.removeChild(node.firstChild); return node }
function show (id, on) { $(id).hidden = !on }
function isNum (n) { return typeof n === 'number' && isFinite(n) }
function num (n) { return isNum(n) ? n.toLocaleString('en-US', { maximumFractionDigits: 2 }) : '\u2013' }
function pad2 (n) { return (n < 10 ? '0' : '') + n }
function clock (iso) {
  if (!iso) return '\u2013'
  var d = new Date(iso)
  if (isNaN(d.getTime())) return String(iso)
  return pad2(d.getHours()) + ':' + pad2(d.getMinutes()) + ':' + pad2(d.getSeconds())
}
function span (seconds) {
  if (!isNum(seconds)) return '\u2013'
  var s = Math.max(0, Math.round(seconds))
  if (s < 90) return s + ' s'
  if (s < 5400) return Math.floor(s / 60) + ' min ' + (s % 60) + ' s'
  return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min'
}
function ago (iso) {
  var t = iso ? new Date(iso).getTime() : NaN
  return isNaN(t) ? '\u2013' : span((Date.now() - t) / 1000) + ' ago'
}
function msText (n) { return isNum(n) ? (n >= 10000 ? num(n / 1000) + ' s' : num(Math.round(n)) + ' ms') : '\u2013' }
function pill (state) { return el('span', 'pill s-' + state, state) }
function yesNo (b, yes, no) { return el('span', b ? 'yes' : 'no', b ? (yes || 'yes') : (no || 'no')) }
function row (cells, nums) {
  var tr = el('tr')
  for (var i = 0; i < cells.length; i++) {
    var td = el('td', nums && nums[i] ? 'num' : '')
    add(td, cells[i])
    tr.appendChild(td)
  }
  return tr
}
function defs (dl, pairs) {
  clear(dl)
  for (var i = 0; i < pairs.length; i++) {
    if (pairs[i][1] === undefined) continue
    add(dl, el('dt', '', pairs[i][0]))
    add(dl, add(el('dd'), pairs[i][1] === null ? '\u2013' : pairs[i][1]))
  }
  return dl
}
/** Flattens any JSON object into [dotted key, text] pairs: for sections rendered generically. */
function flat (o, prefix, out) {
  out = out || []
  if (o === null || typeof o !== 'object' || Array.isArray(o)) {
    out.push([prefix, Array.isArray(o) ? (o.length === 0 ? '[]' : JSON.stringify(o)) : (o === null ? null : String(o))])
    return out
  }
  var keys = Object.keys(o)
  if (keys.length === 0) out.push([prefix, '{}'])
  for (var i = 0; i < keys.length; i++) flat(o[keys[i]], prefix ? prefix + '.' + keys[i] : keys[i], out)
  return out
}
var SVG = 'http://www.w3.org/2000/svg'
function svgEl (tag, attrs) {
  var e = document.createElementNS(SVG, tag)
  for (var k in attrs) e.setAttribute(k, String(attrs[k]))
  return e
}
/** A small inline SVG line of the values (oldest first), scaled to their own range. */
function sparkline (values) {
  var w = 170, h = 34, s = svgEl('svg', { class: 'spark', viewBox: '0 0 ' + w + ' ' + h, role: 'img' })
  var v = values.filter(isNum)
  if (v.length < 2) { add(s, svgEl('line', { x1: 0, y1: h - 1, x2: w, y2: h - 1, stroke: '#e3e6eb' })); return s }
  var lo = Math.min.apply(null, v), hi = Math.max.apply(null, v), range = hi - lo || 1, pts = []
  for (var i = 0; i < v.length; i++) {
    pts.push((i * (w - 2) / (v.length - 1) + 1).toFixed(1) + ',' + (h - 2 - (v[i] - lo) * (h - 4) / range).toFixed(1))
  }
  add(s, svgEl('polygon', { class: 'area', points: '1,' + (h - 1) + ' ' + pts.join(' ') + ' ' + (w - 1) + ',' + (h - 1) }))
  add(s, svgEl('polyline', { points: pts.join(' ') }))
  add(s, svgEl('title', {}))
  s.lastChild.textContent = 'last ' + v.length + ' values: ' + num(lo) + ' to ' + num(hi)
  return s
}
`
