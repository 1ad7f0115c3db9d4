import type { ProgressHistory } from './progress-history.js'
import type { ReceivedStatus, StatusDocument } from './status-types.js'
import type { TransitionView } from './transitions.js'
import { checkersPanel, progressPanel } from './ui-checkers.js'
import { clockAt, defs, msText, num, pill, section, when, yesNo } from './ui-bits.js'
import { h, type VNode } from './ui-html.js'
import { emqxStateWords, reasonHeadline, sourceWords, spanText, STATE_SENTENCES, verdictWords } from './ui-words.js'

/**
 * The live page's content from the /status document, the timeline and the progress history: what GET /ui
 * serves as HTML (the first paint) and what every `view` event of /events carries. Words for people; the
 * raw names stay in /status.
 */
export interface PageView {
  readonly state: StatusDocument['state']
  readonly title: string
  readonly banner: readonly VNode[]
  readonly panels: readonly VNode[]
}

export function pageView (d: StatusDocument, timeline: readonly TransitionView[], history: ProgressHistory, now: number): PageView {
  const node = d.emqx.node_name
  return {
    state: d.state,
    title: `${d.state} \u00b7 ${node ?? 'emqx-lb-sidecar'}`,
    banner: banner(d, now),
    panels: [
      checkersPanel(d, now),
      section('timeline-section', 'Timeline', false, timelineList(timeline)),
      aboutPanel(d, now),
      progressPanel(d, history, now),
      evidencePanel(d, now),
      clusterPanel(d, now),
    ].filter((p): p is VNode => p !== null),
  }
}

function banner (d: StatusDocument, now: number): VNode[] {
  return [
    h('div', { id: 'state' }, d.state),
    h('div', { class: 'what' },
      h('div', { id: 'reason' }, reasonHeadline(d.reason, d as ReceivedStatus)),
      h('div', { id: 'message' }, STATE_SENTENCES[d.state]),
      d.state === 'down' ? h('div', { id: 'detail' }, d.message) : null,
      h('div', { id: 'since' }, 'since ', clockAt(d.since), ' (', when(d.since, now), ')')),
    h('div', { id: 'node' }, d.emqx.node_name ?? 'node name not known yet'),
  ]
}

function timelineList (timeline: readonly TransitionView[]): VNode {
  const items: VNode[] = []
  for (let i = timeline.length - 1; i >= 0; i--) {
    const t = timeline[i]
    if (t === undefined) continue
    items.push(h('li', { title: t.message }, clockAt(t.at), pill(t.state), h('span', { class: 'cause' }, t.cause)))
  }
  return h('ol', { id: 'timeline' }, ...items)
}

function evidencePanel (d: StatusDocument, now: number): VNode | null {
  const ev = d.drain_evidence
  if (ev === null) return null
  const quiet = ev.quiet_seconds === null
    ? undefined
    : spanText(ev.quiet_seconds) + (ev.quiet_window_seconds === null ? '' : ` (${spanText(ev.quiet_window_seconds)} counts as stopped)`)
  const lastArrival = ev.draining_since === null
    ? undefined
    : ev.last_arrival === null ? 'none during this drain' : when(ev.last_arrival, now)
  return section('evidence-section', 'Drain evidence', false, defs('evidence', [
    ['What EMQX counts', verdictWords(ev.verdict)],
    ['Counted by', sourceWords(ev.source)],
    ['Source chosen', ev.counter === null ? undefined : ev.counter.summary],
    ['Usual arrivals', ev.usual_rate_per_second === null ? null : `${num(ev.usual_rate_per_second)} new clients per second`],
    ['Draining since', ev.draining_since === null ? undefined : when(ev.draining_since, now)],
    ['New clients since the drain began', ev.connects_since_drain === null ? undefined : num(ev.connects_since_drain)],
    ['Eviction began', ev.eviction_since === null ? undefined : when(ev.eviction_since, now)],
    ['New clients since eviction began', ev.connects_since_eviction === null ? undefined : num(ev.connects_since_eviction)],
    ['Last new client', lastArrival],
    ['Quiet for', quiet],
    ['Counter last read', ev.last_read === null ? null : when(ev.last_read, now)],
    ['Problem', ev.error ?? undefined],
  ]))
}

const yn = (b: boolean | null | undefined): string => (b === null || b === undefined ? 'not known' : b ? 'yes' : 'no')

/** --expect-cluster-size: this node's own view of its cluster, in one line. */
function membershipLine (d: StatusDocument, now: number): VNode | null {
  const m = d.membership
  if (m === null) return null
  const seen = m.running === null ? '' : ` Running in its view: ${m.running.join(', ')}${m.role === null ? '' : ` (this node: ${m.role})`}.`
  const read = m.view_at === null ? '' : ' Read '
  return h('p', { id: 'membership', class: m.drains ? 'a-503' : 'note' }, `Membership (${m.expect} expected): ${m.message}.${seen}${read}`,
    m.view_at === null ? null : when(m.view_at, now))
}

function clusterPanel (d: StatusDocument, now: number): VNode | null {
  const c = d.cluster
  if (c === null && d.cluster_error === null && d.membership === null) return null
  const rows: VNode[] = []
  const add = (kind: string, node: string, state: string | undefined, detail: string): void => {
    const words = emqxStateWords(state)
    rows.push(h('tr', null, h('td', null, kind), h('td', null, node), h('td', null, words === '' ? '\u2013' : words),
      h('td', null, detail)))
  }
  for (const x of c?.evacuations ?? []) {
    add('evacuation', x.node, x.state, x.stats?.current_connected === undefined ? '' : `${num(x.stats.current_connected)} connections left`)
  }
  for (const x of c?.purges ?? []) add('purge', x.node, x.state, '')
  for (const x of c?.rebalances ?? []) {
    const detail = [`donors ${x.donors.join(', ')}; recipients ${x.recipients.join(', ')}`]
    if (x.balanced !== null && (x.balanced.connections !== null || x.balanced.sessions !== null)) {
      detail.push(`balanced: connections ${yn(x.balanced.connections)}, sessions ${yn(x.balanced.sessions)}`)
    }
    add('rebalance', x.node, x.state, detail.join('; '))
  }
  if (c !== null && rows.length === 0) {
    rows.push(h('tr', null, h('td', { colspan: '4' }, 'No evacuation, purge or rebalance in the cluster.')))
  }
  return section('cluster-section', 'Cluster', false, h('div', { id: 'cluster' },
    membershipLine(d, now),
    d.cluster_error === null ? null : h('p', { class: 'note' }, `The cluster view cannot be read: ${d.cluster_error}`),
    c === null
      ? null
      : h('table', null, h('tr', null, ...['process', 'node', 'state', 'detail'].map((x) => h('th', null, x))), ...rows),
    c === null ? null : h('p', { class: 'note' }, "EMQX's cluster view, read ", when(c.fetched_at, now))))
}

/** What HAProxy's agent check reads now; with --agent-ramp, when the weight reaches 100%. */
function agentWords (d: StatusDocument, now: number): VNode | undefined {
  const a = d.agent
  if (a === null) return undefined
  const words = h('code', null, a.words.split(' #')[0] ?? '')
  return a.ramp_ends_at === null ? words : h('span', null, words, ' (weight rising to 100% ', when(a.ramp_ends_at, now), ')')
}

function aboutPanel (d: StatusDocument, now: number): VNode {
  const e = d.emqx
  const lc = e.last_check
  const s = d.sidecar
  return section('about-section', 'EMQX and sidecar', false, defs('about', [
    ['EMQX API', e.api_version === null
      ? 'not detected yet'
      : `${e.api_version} (${e.api_mode === 'rebalance' ? 'availability check' : 'node status only'})`],
    ['API URL', e.api_url],
    ['Drains visible', e.drains_detectable === null
      ? null
      : yesNo(e.drains_detectable, 'yes', 'no: this EMQX has no rebalance API, so only up and down')],
    ['Last check', lc === null
      ? null
      : h('span', null, when(lc.at, now), `: ${lc.outcome}`,
        lc.failure_reason === null ? '' : ` (${lc.failure_reason.replace(/_/g, ' ')})`, `, took ${msText(lc.duration_ms)}`)],
    ['Failed checks in a row', num(e.consecutive_failures)],
    ["EMQX's own answer", d.observed.state === d.state ? undefined : `${d.observed.state}: ${reasonHeadline(d.observed.reason)}`],
    ['Agent-check answers', agentWords(d, now)],
    ['Configuration problem', e.config_error ?? undefined],
    ['Sidecar', `emqx-lb-sidecar ${s.version}, pid ${s.pid}, up ${spanText(s.uptime_seconds)}`],
  ]), h('p', { class: 'note' }, 'Page drawn ', clockAt(new Date(now).toISOString()), '; the raw names are in /status.'))
}
