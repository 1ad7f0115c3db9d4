import { CHECKER_PROTOCOLS, type CheckerKind } from '../../checkers/protocols.js'
import type { ProgressHistory } from './progress-history.js'
import type { Received, ReceivedStatus, StatusDocument } from './status-types.js'
import { clockAt, msText, num, plural, section, sparkline, when, yesNo } from './ui-bits.js'
import { h, type VNode } from './ui-html.js'
import { ackStageWords, emqxStateWords, phaseWords, processWords, spanText } from './ui-words.js'

/** The live page's panels about the load balancers and a running evacuation or rebalance, in words. */

/** Rows the page lists at most (all of them are in /status): keeps the page small with --max-checkers 256. */
export const PAGE_CHECKERS = 40

type Checker = NonNullable<ReceivedStatus['checkers']>[number]

function ackLine (d: ReceivedStatus): VNode {
  const a = d.drain_acknowledgement
  const list = d.checkers ?? []
  if (a?.draining_since === undefined || a.draining_since === null) {
    return h('div', { id: 'ack', class: 'ack' }, `Not draining: ${plural(list.length, 'checker')} probing this node.`)
  }
  const told = `${num(a.checkers_told)} of ${num(a.checkers_active)}`
  return a.acknowledged === true
    ? h('div', { id: 'ack', class: 'ack done' },
      `Drain acknowledged: ${a.checkers_active === 1 ? 'the one checker' : `all ${num(a.checkers_active)} checkers`} told, ` +
      `${spanText(a.acknowledged_after_seconds ?? NaN)} after the drain began.`)
    : h('div', { id: 'ack', class: 'ack wait' }, 'Draining since ', clockAt(a.draining_since), `: ${told} checkers told so far.`)
}

/** The protocol's words for a checker's kind (src/checkers/protocols.ts), or the kind a newer sidecar sent. */
function kindLabel (kind: string | undefined): string {
  if (kind === undefined) return '\u2013'
  return Object.hasOwn(CHECKER_PROTOCOLS, kind) ? CHECKER_PROTOCOLS[kind as CheckerKind].label : kind
}

function toldCell (c: Checker, draining: boolean, now: number): VNode {
  const needed = plural(c.fall ?? 0, 'drain answer')
  if (c.told === true) {
    const at = c.told_at
    return h('span', null, yesNo(true), h('div', { class: 'note' }, typeof at === 'string' ? when(at, now) : `after ${needed}`))
  }
  if (!draining) return h('span', { class: 'no' }, '\u2013')
  return h('span', { class: 'no' }, `not yet: ${num(c.drain_answers ?? 0)} of ${needed}`)
}

function budgetCell (c: Checker): VNode {
  if (c.detection_ms === null || c.detection_ms === undefined) return '\u2013'
  const fit = c.within_budget
  return h('span', null, spanText(c.detection_ms / 1000),
    fit === null || fit === undefined ? null : h('div', { class: 'note' }, yesNo(fit, 'in time', 'too slow for wait_health_check')))
}

function checkerRow (c: Checker, draining: boolean, now: number): VNode {
  const answer = c.last_answer ?? '\u2013'
  return h('tr', null,
    h('td', null, kindLabel(c.kind)),
    h('td', null, h('div', { class: 'ua' }, c.user_agent === undefined || c.user_agent === '' ? '(no user agent)' : c.user_agent),
      h('div', { class: 'note' }, c.source ?? '')),
    h('td', { class: 'num' }, c.interval_ms === null || c.interval_ms === undefined ? 'not yet known' : `every ${msText(c.interval_ms)}`),
    h('td', null, h('span', { class: `a-${answer}` }, answer)),
    h('td', { class: 'num' }, when(c.last_seen, now)),
    h('td', null, toldCell(c, draining, now)),
    h('td', { class: 'num' }, budgetCell(c)))
}

export function checkersPanel (d: ReceivedStatus, now: number): VNode {
  const list = d.checkers ?? []
  const draining = typeof d.drain_acknowledgement?.draining_since === 'string'
  const rows = list.slice(0, PAGE_CHECKERS).map((c) => checkerRow(c, draining, now))
  if (list.length === 0) rows.push(h('tr', null, h('td', { colspan: '7' }, 'No load balancer has probed this sidecar yet.')))
  if (list.length > PAGE_CHECKERS) {
    rows.push(h('tr', null, h('td', { colspan: '7', class: 'note' }, `and ${num(list.length - PAGE_CHECKERS)} more: see /status`)))
  }
  const head = ['load balancer', 'who', 'checks', 'last answer', 'last seen', 'told to drain', 'takes the node out in']
  return section('checkers-section', 'Load-balancer checkers', true, ackLine(d),
    h('div', { class: 'scroll' }, h('table', null,
      h('thead', null, h('tr', null, ...head.map((x) => h('th', null, x)))),
      h('tbody', { id: 'checkers-body' }, ...rows))))
}

interface Running {
  readonly title: string
  readonly conn: number | null
  readonly sess: number | null
  readonly conn0?: number
  readonly sess0?: number
  readonly connGoal: number | null
  readonly sessGoal: number | null
  readonly connRate?: number
  readonly sessRate?: number
  readonly e: Received<StatusDocument['overrides']['evacuation']> | null
}

const isNum = (n: unknown): n is number => typeof n === 'number' && isFinite(n)
const capital = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1)

/** The running evacuation (started through the sidecar) or EMQX's local rebalance status, in words. */
function running (d: ReceivedStatus): Running | null {
  const e = d.overrides?.evacuation ?? null
  const r = d.rebalance?.status === 'enabled' ? d.rebalance : null
  if (e === null && r === null) return null
  const st = r?.stats ?? {}
  const emqx = emqxStateWords(e?.emqx_state ?? r?.state)
  const title = e !== null
    ? `Evacuation requested through the sidecar by ${e.requested_by ?? '?'}: ${phaseWords(e.phase)}${emqx === '' ? '' : ` (EMQX: ${emqx})`}`
    : `${capital(processWords(r?.process) ?? 'EMQX process')}: ${emqx === '' ? 'state not known' : emqx}` +
      (r?.coordinator_node === undefined ? '' : `, coordinated by ${r.coordinator_node}`)
  return {
    title,
    conn: isNum(st.current_connected) ? st.current_connected : (e?.connections ?? null),
    sess: isNum(st.current_sessions) ? st.current_sessions : (e?.sessions ?? null),
    conn0: st.initial_connected,
    sess0: st.initial_sessions,
    connGoal: isNum(r?.connection_goal) ? r.connection_goal : (e !== null ? 0 : null),
    sessGoal: isNum(r?.session_goal)
      ? r.session_goal
      : isNum(r?.disconnected_session_goal) ? r.disconnected_session_goal : (e !== null ? 0 : null),
    connRate: r?.connection_eviction_rate,
    sessRate: r?.session_eviction_rate,
    e,
  }
}

function metricRow (label: string, now: number | null, initial: number | undefined, goal: number | null,
  rate: number | undefined, seen: number | null, values: ReadonlyArray<number | null>): VNode {
  const text = `${num(now)} left` + (isNum(initial) ? ` of ${num(initial)} initially` : '') + (isNum(goal) ? `, goal ${num(goal)}` : '')
  const notes: string[] = []
  if (isNum(rate)) notes.push(`EMQX evicts up to ${num(rate)}/s`)
  if (isNum(seen)) notes.push(`seen leaving at ${num(seen)}/s`)
  const pace = isNum(seen) && seen > 0 ? seen : isNum(rate) && rate > 0 ? rate : NaN
  if (isNum(now) && isNum(goal) && now > goal && isNum(pace)) notes.push(`about ${spanText((now - goal) / pace)} to go`)
  return h('div', { class: 'metric' }, h('div', { class: 'k' }, label),
    h('div', null, h('div', { class: 'v' }, text), h('div', { class: 'note' }, notes.join(' \u00b7 '))), sparkline(values))
}

export function progressPanel (d: ReceivedStatus, history: ProgressHistory, now: number): VNode | null {
  const p = running(d)
  if (p === null) return null
  const times: VNode[] = []
  const a = p.e?.acknowledgement
  if (a !== null && a !== undefined) {
    times.push(`load balancers: ${num(a.checkers_told)} of ${num(a.checkers_known)} told (${ackStageWords(a.stage)})`)
  }
  if (typeof p.e?.eviction_starts_at === 'string') times.push(h('span', null, 'eviction starts ', when(p.e.eviction_starts_at, now)))
  if (typeof p.e?.deadline === 'string') times.push(h('span', null, 'deadline ', clockAt(p.e.deadline), ' (', when(p.e.deadline, now), ')'))
  const sep = times.flatMap((t, i) => (i === 0 ? [t] : [' \u00b7 ', t]))
  return h('section', { id: 'progress-section', class: 'wide' }, h('h2', null, 'Evacuation or rebalance of this node'),
    h('div', { id: 'progress' },
      h('div', { class: 'ack wait' }, p.title),
      metricRow('connections', p.conn, p.conn0, p.connGoal, p.connRate, history.rate('conn'), history.points.map((x) => x.conn)),
      metricRow('sessions', p.sess, p.sess0, p.sessGoal, p.sessRate, history.rate('sess'), history.points.map((x) => x.sess)),
      sep.length === 0 ? null : h('p', { class: 'note' }, ...sep)))
}
