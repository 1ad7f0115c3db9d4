import { fileURLToPath } from 'node:url'
import t from 'tap'
import { agentReply } from '../../src/agent/words.js'
import { CHECKER_KINDS, CHECKER_PROTOCOLS } from '../../src/checkers/protocols.js'
import { AGENT_DRAIN_WORDS } from '../../src/config/serve-listener-options.js'
import { fallOf } from '../../src/checkers/rule.js'
import { CheckerTracker } from '../../src/checkers/tracker.js'
import { probeAnswer } from '../../src/http/listeners/probe.js'
import { createMetrics } from '../../src/metrics/registry.js'
import { NODE_STATES, type Reason } from '../../src/state/model.js'
import { initialSnapshot } from '../../src/state/transition.js'
import { readSources } from '../support/import-graph.js'
import { TestStore } from '../support/test-store.js'

// A checker protocol is one entry of src/checkers/protocols.ts: the metrics, the tracker's kinds and the told
// rule's falls follow the registry, and each listener answers only words its entry lists.

const src = fileURLToPath(new URL('../../src', import.meta.url))

t.test('the metrics start a series for every protocol and every answer its entry lists, and no other', async (t) => {
  const store = new TestStore(initialSnapshot(0))
  const tracker = new CheckerTracker({ maxCheckers: 1, ttlMs: 1000, checkerFall: 3, budgetMs: 1000 })
  const text = await createMetrics(store, { tracker }).registry.metrics()
  const series = (name: string): string[] => [...text.matchAll(new RegExp(`^emqx_lb_sidecar_${name}\\{([^}]*)\\} 0$`, 'gm'))].map((m) => m[1] ?? '')
  t.same(series('probes_total').sort(),
    CHECKER_KINDS.flatMap((p) => CHECKER_PROTOCOLS[p].answers.map((a) => `protocol="${p}",answer="${a}"`)).sort())
  t.same(series('connections_dropped_total').sort(), CHECKER_KINDS.map((p) => `protocol="${p}"`).sort())
  t.same(series('checkers').sort(), CHECKER_KINDS.map((p) => `kind="${p}"`).sort())
})

t.test('each listener answers only the words its entry lists, for every state', async (t) => {
  for (const state of NODE_STATES) {
    const s = { ...initialSnapshot(0), state, reason: 'test' as Reason }
    for (const w of AGENT_DRAIN_WORDS) t.ok(CHECKER_PROTOCOLS.agent.answers.includes(agentReply(s, w).word), `agent (${w}), ${state}: ${agentReply(s, w).word}`)
    t.ok((CHECKER_PROTOCOLS.http.answers as readonly string[]).includes(probeAnswer(s).label), `http, ${state}: ${probeAnswer(s).label}`)
  }
})

t.test('the fall of a checker is its entry\'s: a number, or --checker-fall', async (t) => {
  for (const kind of CHECKER_KINDS) {
    const f = CHECKER_PROTOCOLS[kind].fall
    t.equal(fallOf(kind, 'some checker', 7), f === 'checker-fall' ? 7 : f, kind)
  }
  t.equal(fallOf('agent', '', 7), 1, 'HAProxy acts on the agent\'s first drain')
})

t.test('no file of src/ spells the protocols out (a union or a list of their names): they come from the registry', async (t) => {
  const spelled: string[] = []
  for (const [file, text] of readSources(src)) {
    if (file === 'checkers/protocols.ts') continue
    if (/'http'\s*\|\s*'agent'|'agent'\s*\|\s*'http'|\[\s*'http',\s*'agent'\s*\]|\[\s*'agent',\s*'http'\s*\]/.test(text)) spelled.push(file)
  }
  t.same(spelled, [])
})
