/**
 * The live page's script, part 3: follows GET /events with EventSource (which reconnects by itself and
 * resumes with Last-Event-ID), marks the page disconnected while the stream is down, and opens a new
 * stream when the browser gave up on one (a 503 at the client limit closes an EventSource for good).
 */
export const UI_SCRIPT_LIVE = String.raw`
var doc = null, source = null, lastId = '', retryMs = 2000, reopen = null

function streamState (s, text) {
  root.setAttribute('data-stream', s)
  $('stream').textContent = text
}

function parse (e) {
  try { return JSON.parse(e.data) } catch (err) { return null }
}

function connect () {
  reopen = null
  source = new EventSource(lastId ? '/events?last_event_id=' + encodeURIComponent(lastId) : '/events')
  source.onopen = function () { retryMs = 2000; streamState('live', 'live') }
  source.onerror = function () {
    streamState('disconnected', 'disconnected \u2013 reconnecting')
    if (source.readyState === EventSource.CLOSED && reopen === null) {
      reopen = setTimeout(connect, retryMs)
      retryMs = Math.min(retryMs * 2, 30000)
    }
  }
  source.addEventListener('status', function (e) {
    var d = parse(e)
    if (!d) return
    lastId = e.lastEventId || lastId
    doc = d
    render(d)
  })
  source.addEventListener('timeline', function (e) {
    var list = parse(e)
    if (!Array.isArray(list)) return
    lastId = e.lastEventId || lastId
    timeline = list
    renderTimeline()
  })
  source.addEventListener('transition', function (e) {
    var t = parse(e)
    if (!t) return
    lastId = e.lastEventId || lastId
    timeline.push(t)
    if (timeline.length > 50) timeline.shift()
    renderTimeline()
  })
}

// the relative times ("12 s ago") move on between events
setInterval(function () { if (doc) { renderBanner(doc) } }, 1000)
streamState('connecting', 'connecting')
connect()
`
