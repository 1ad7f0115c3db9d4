/**
 * The live page's script, part 2: one function per panel, each drawing from the /status document
 * (`d`) and what the page kept from earlier events (timeline, progress history, when checkers were told).
 */
export const UI_SCRIPT_PANELS = String.raw`
var timeline = []
var hist = { key: '', points: [] }
var toldSeen = {}
var MAX_POINTS = 180

function renderBanner (d) {
  root.setAttribute('data-state', d.state)
  $('state').textContent = d.state
  $('reason').textContent = d.reason
  $('message').textContent = d.message
  $('since').textContent = 'since ' + clock(d.since) + ' (' + ago(d.since) + ')'
  $('node').textContent = (d.emqx && d.emqx.node_name) || 'node name not known yet'
  document.title = d.state + ' \u00b7 ' + ((d.emqx && d.emqx.node_name) || 'emqx-lb-sidecar')
}

function renderTimeline () {
  var ol = clear($('timeline'))
  for (var i = timeline.length - 1; i >= 0; i--) {
    var t = timeline[i], li = el('li')
    var time = el('time', '', clock(t.at))
    time.setAttribute('datetime', t.at)
    time.title = t.at
    add(li, time, pill(t.state), el('span', 'cause', t.cause), el('span', 'msg', t.message))
    ol.appendChild(li)
  }
}

function checkerKey (c) { return c.kind + ' ' + c.source + ' ' + c.user_agent }

function renderCheckers (d) {
  var list = d.checkers || [], tbody = clear($('checkers-body')), a = d.drain_acknowledgement
  var ack = $('ack')
  if (a && a.draining_since) {
    ack.className = 'ack ' + (a.acknowledged ? 'done' : 'wait')
    ack.textContent = a.acknowledged
      ? 'drain acknowledged: ' + a.checkers_told + '/' + a.checkers_active + ' checkers told, after ' +
        num(a.acknowledged_after_seconds) + ' s'
      : 'draining since ' + clock(a.draining_since) + ': ' + a.checkers_told + '/' + a.checkers_active + ' checkers told'
  } else {
    ack.className = 'ack'
    ack.textContent = 'not draining: ' + list.length + ' checker' + (list.length === 1 ? '' : 's') + ' probing'
  }
  for (var i = 0; i < list.length; i++) {
    var c = list[i], key = checkerKey(c)
    if (c.told && !toldSeen[key]) toldSeen[key] = new Date().toISOString()
    if (!c.told) delete toldSeen[key]
    var who = add(el('div'), el('div', 'ua', c.user_agent || '(no user agent)'), el('div', 'note', c.source))
    var answer = el('span', 'a-' + c.last_answer, c.last_answer)
    var told = c.told ? add(el('span'), yesNo(true), el('div', 'note', 'seen ' + clock(toldSeen[key]))) : yesNo(false)
    tbody.appendChild(row([c.kind, who, msText(c.interval_ms), answer, ago(c.last_seen), c.drain_answers + '/' + c.fall, told,
      c.within_budget === null ? '\u2013' : yesNo(c.within_budget, 'in time', 'too slow')], [0, 0, 1, 0, 1, 1, 0, 0]))
  }
  if (list.length === 0) tbody.appendChild(row(['no checker has probed this sidecar yet', '', '', '', '', '', '', '']))
}

/** The running evacuation or rebalance of this node, and a key that changes when another one starts. */
function running (d) {
  var e = d.overrides && d.overrides.evacuation, r = d.rebalance && d.rebalance.status === 'enabled' ? d.rebalance : null
  if (!e && !r) return null
  var st = (r && r.stats) || {}
  return {
    key: e ? 'evacuation ' + e.started_at : 'rebalance ' + (r.coordinator_node || '') + ' ' + (r.process || ''),
    title: e ? 'evacuation requested by ' + e.requested_by + ': ' + e.phase + (e.emqx_state ? ' (' + e.emqx_state + ')' : '')
      : (r.process || 'rebalance') + ': ' + (r.state || '?') + (r.coordinator_node ? ', coordinator ' + r.coordinator_node : ''),
    conn: isNum(st.current_connected) ? st.current_connected : (e ? e.connections : null),
    sess: isNum(st.current_sessions) ? st.current_sessions : (e ? e.sessions : null),
    conn0: st.initial_connected, sess0: st.initial_sessions,
    connGoal: r && isNum(r.connection_goal) ? r.connection_goal : (e ? 0 : null),
    sessGoal: r && isNum(r.session_goal) ? r.session_goal
      : (r && isNum(r.disconnected_session_goal) ? r.disconnected_session_goal : (e ? 0 : null)),
    connRate: r ? r.connection_eviction_rate : null, sessRate: r ? r.session_eviction_rate : null,
    deadline: e ? e.deadline : null, evictAt: e ? e.eviction_starts_at : null, ack: e ? e.acknowledgement : null,
  }
}

/** Per second over the last ~10 s of kept points (positive: leaving the node). */
function observedRate (field) {
  var p = hist.points, last = p[p.length - 1]
  if (!last) return null
  for (var i = p.length - 2; i >= 0; i--) {
    if (last.t - p[i].t >= 10000 || i === 0) {
      var dt = (last.t - p[i].t) / 1000
      return dt > 0 && isNum(p[i][field]) && isNum(last[field]) ? (p[i][field] - last[field]) / dt : null
    }
  }
  return null
}

function metricRow (label, now, initial, goal, field, rate) {
  var seen = observedRate(field)
  var text = num(now) + (isNum(initial) ? ' of ' + num(initial) + ' initially' : '') + (isNum(goal) ? ', goal ' + num(goal) : '')
  var rates = (isNum(rate) ? 'evict rate ' + num(rate) + '/s' : '') +
    (isNum(seen) ? (isNum(rate) ? ', ' : '') + 'seen ' + num(seen) + '/s' : '')
  var left = isNum(now) && isNum(goal) && now > goal ? (now - goal) / (seen > 0 ? seen : rate > 0 ? rate : NaN) : null
  var values = hist.points.map(function (p) { return p[field] })
  var r = el('div', 'metric')
  var note = el('div', 'note', rates + (isNum(left) ? ', ~' + span(left) + ' left' : ''))
  add(r, el('div', 'k', label), add(el('div'), el('div', 'v', text), note), sparkline(values))
  return r
}

function renderProgress (d) {
  var p = running(d), box = clear($('progress'))
  show('progress-section', p !== null)
  if (p === null) { hist = { key: '', points: [] }; return }
  if (hist.key !== p.key) hist = { key: p.key, points: [] }
  hist.points.push({ t: Date.now(), conn: p.conn, sess: p.sess })
  if (hist.points.length > MAX_POINTS) hist.points.shift()
  add(box, el('div', 'ack wait', p.title))
  add(box, metricRow('connections', p.conn, p.conn0, p.connGoal, 'conn', p.connRate))
  add(box, metricRow('sessions', p.sess, p.sess0, p.sessGoal, 'sess', p.sessRate))
  var times = []
  if (p.ack) times.push('load balancers: ' + p.ack.checkers_told + '/' + p.ack.checkers_known + ' told (' + p.ack.stage + ')')
  if (p.evictAt) times.push('eviction starts ' + clock(p.evictAt))
  if (p.deadline) times.push('deadline ' + clock(p.deadline) + ' (in ' + span((new Date(p.deadline).getTime() - Date.now()) / 1000) + ')')
  if (times.length > 0) add(box, el('p', 'note', times.join(' \u00b7 ')))
}

function renderEvidence (d) {
  var ev = d.drain_evidence
  show('evidence-section', ev !== undefined && ev !== null)
  if (ev !== undefined && ev !== null) defs($('evidence'), flat(ev, '', []))
}

function yn (b) { return b === null || b === undefined ? '?' : (b ? 'yes' : 'no') }

function renderCluster (d) {
  var c = d.cluster, box = clear($('cluster'))
  show('cluster-section', !!c || !!d.cluster_error)
  if (d.cluster_error) add(box, el('p', 'note', 'global_status: ' + d.cluster_error))
  if (!c) return
  var t = add(el('table'), add(el('tr'), el('th', '', 'process'), el('th', '', 'node'), el('th', '', 'state'), el('th', '', 'detail')))
  var kinds = [['evacuation', c.evacuations || []], ['purge', c.purges || []], ['rebalance', c.rebalances || []]]
  for (var k = 0; k < kinds.length; k++) {
    for (var i = 0; i < kinds[k][1].length; i++) {
      var x = kinds[k][1][i], st = x.stats || {}, detail = []
      if (x.donors) detail.push('donors ' + x.donors.join(', ') + '; recipients ' + (x.recipients || []).join(', '))
      if (isNum(st.current_connected)) detail.push(num(st.current_connected) + ' connections left')
      if (x.balanced && (x.balanced.connections !== null || x.balanced.sessions !== null)) {
        detail.push('balanced: connections ' + yn(x.balanced.connections) + ', sessions ' + yn(x.balanced.sessions))
      }
      t.appendChild(row([kinds[k][0], x.node, x.state || '\u2013', detail.join('; ')]))
    }
  }
  if (t.rows.length === 1) t.appendChild(row(['no evacuation, purge or rebalance in the cluster', '', '', '']))
  add(box, t, el('p', 'note', 'read ' + ago(c.fetched_at)))
}

function renderAbout (d) {
  var e = d.emqx || {}, lc = e.last_check, s = d.sidecar || {}
  defs($('about'), [
    ['EMQX API', e.api_version ? e.api_version + ' (' + e.api_mode + ')' : 'not detected yet'],
    ['API URL', e.api_url],
    ['drains detectable', e.drains_detectable === null ? null : yesNo(e.drains_detectable)],
    ['last check', lc ? clock(lc.at) + ': ' + lc.outcome + (lc.failure_reason ? ' (' + lc.failure_reason + ')' : '') +
      ', ' + num(lc.duration_ms) + ' ms' : null],
    ['failures in a row', String(e.consecutive_failures)],
    ['EMQX alone says', d.observed ? d.observed.state + ' (' + d.observed.reason + ')' : null],
    ['configuration error', e.config_error ? e.config_error : undefined],
    ['sidecar', 'emqx-lb-sidecar ' + s.version + ', pid ' + s.pid + ', up ' + span(s.uptime_seconds)],
  ])
  $('version').textContent = s.version || ''
}

function render (d) {
  renderBanner(d)
  renderCheckers(d)
  renderProgress(d)
  renderEvidence(d)
  renderCluster(d)
  renderAbout(d)
}
`
