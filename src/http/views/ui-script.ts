import { UI_ATTRS, UI_TAGS } from './ui-html.js'
import { relativeText, spanText } from './ui-words.js'

/**
 * The live page's script: plain browser JavaScript in a string (no build step). The page arrives complete
 * (server-rendered); once it has loaded, the script follows GET /events and redraws from each `view` event,
 * building elements from the event's tree (./ui-html.ts) with createElement and text nodes, never parsing
 * HTML: user agents and messages come from the network. It reads the stream with fetch() rather than
 * EventSource, and only after the load event, so that the page settles: a headless browser's
 * --virtual-time-budget waits for no open EventSource, and a screenshot completes. It reconnects by
 * itself, resuming with Last-Event-ID, and says so while disconnected. `/ui?still` is one still frame: no stream.
 */
export const UI_SCRIPT = String.raw`(function () {
'use strict'
var root = document.documentElement
var TAGS = /${UI_TAGS.source}/
var ATTRS = /${UI_ATTRS.source}/
var SVG = 'http://www.w3.org/2000/svg'
var lastId = '', retryMs = 2000
` + `var spanText = ${spanText.toString()}
var relativeText = ${relativeText.toString()}
` + String.raw`function $ (id) { return document.getElementById(id) }
function build (n, svg) {
  if (typeof n === 'string') return document.createTextNode(n)
  var tag = TAGS.test(n[0]) ? n[0] : 'span', inSvg = svg || tag === 'svg'
  var e = inSvg ? document.createElementNS(SVG, tag) : document.createElement(tag), a = n[1] || {}
  for (var k in a) if (Object.prototype.hasOwnProperty.call(a, k) && ATTRS.test(k)) e.setAttribute(k, String(a[k]))
  for (var i = 2; i < n.length; i++) e.appendChild(build(n[i], inSvg))
  return e
}
function fill (id, nodes) {
  var p = $(id)
  while (p.firstChild) p.removeChild(p.firstChild)
  for (var i = 0; i < nodes.length; i++) p.appendChild(build(nodes[i], false))
}
function pad2 (n) { return (n < 10 ? '0' : '') + n }
function clocks () {
  var list = document.querySelectorAll('time[data-clock]')
  for (var i = 0; i < list.length; i++) {
    var d = new Date(list[i].getAttribute('datetime'))
    if (!isNaN(d.getTime())) list[i].textContent = pad2(d.getHours()) + ':' + pad2(d.getMinutes()) + ':' + pad2(d.getSeconds())
  }
}
function tick () {
  var list = document.querySelectorAll('time[data-ago]'), now = Date.now()
  for (var i = 0; i < list.length; i++) list[i].textContent = relativeText(list[i].getAttribute('datetime'), now)
}
function apply (v) {
  if (!v || !Array.isArray(v.banner) || !Array.isArray(v.panels)) return
  root.setAttribute('data-state', String(v.state))
  document.title = String(v.title)
  fill('banner', v.banner)
  fill('panels', v.panels)
  clocks()
}
function streamState (s, text) {
  root.setAttribute('data-stream', s)
  $('stream').textContent = text
}
/** One server-sent event (the lines before a blank line): its id, and a view to draw. */
function frame (text) {
  var name = 'message', data = [], lines = text.split(/\r?\n/)
  for (var i = 0; i < lines.length; i++) {
    var line = lines[i], colon = line.indexOf(':')
    if (colon === 0) continue
    var field = colon === -1 ? line : line.slice(0, colon), value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '')
    if (field === 'event') name = value
    else if (field === 'data') data.push(value)
    else if (field === 'id') lastId = value
  }
  if (name !== 'view') return
  try { apply(JSON.parse(data.join('\n'))) } catch (err) { /* a broken frame: the next one redraws */ }
}
function retry () {
  streamState('disconnected', 'disconnected \u2013 reconnecting')
  setTimeout(follow, retryMs)
  retryMs = Math.min(retryMs * 2, 30000)
}
function follow () {
  var headers = lastId ? { 'last-event-id': lastId } : {}
  fetch('/events', { headers: headers, cache: 'no-store' }).then(function (res) {
    if (!res.ok || !res.body) throw new Error('HTTP ' + res.status)
    retryMs = 2000
    streamState('live', 'live')
    var reader = res.body.getReader(), decoder = new TextDecoder(), buf = ''
    function pump () {
      return reader.read().then(function (r) {
        if (r.done) throw new Error('the stream ended')
        buf += decoder.decode(r.value, { stream: true })
        var end
        while ((end = buf.search(/\r?\n\r?\n/)) !== -1) {
          frame(buf.slice(0, end))
          buf = buf.slice(end).replace(/^\r?\n\r?\n/, '')
        }
        return pump()
      })
    }
    return pump()
  }).catch(retry)
}
clocks()
if (root.getAttribute('data-stream') !== 'still') {
  setInterval(tick, 1000)
  var start = function () { streamState('connecting', 'connecting'); setTimeout(follow, 0) }
  if (document.readyState === 'complete') start()
  else window.addEventListener('load', start)
}
})()
`
