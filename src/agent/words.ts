import { CHECKER_PROTOCOLS } from '../checkers/protocols.js'
import type { AgentDrainWord } from '../config/serve-types.js'
import { servedAnswer, type NodeState, type Snapshot } from '../state/model.js'

/**
 * HAProxy agent-check words for a snapshot: pure, one line, no newline.
 * HAProxy reads one line; words are separated by spaces; the last word of each category wins; text
 * after `#` is a description shown in the stats page and logs (../../haproxy/README.md has the table).
 *
 * - up       -> `up ready`: healthy, and clear any drain/maint this agent set before. With --agent-ramp, `up ready 37%`:
 *               a weight rising from 10% to 100% after the node turned up (rampPercent below, docs/agent-ramp.md).
 * - draining -> `up maint` (or `up drain`, --agent-drain-word): EMQX's own 503 (donor, evacuating, purging).
 *               Both stop new connections and leave existing ones alone (EMQX evicts them at its own rate).
 *               MAINT also ignores stick-table entries, so clients EMQX's HAProxy guide keeps on one node
 *               (`stick on ... client_identifier`) reconnect elsewhere; DRAIN still sends them to this node
 *               (measured: test/e2e/haproxy-sticky-words.test.ts). `up` undoes an earlier agent `down`,
 *               because EMQX answering 503 means the node is healthy, just not taking new clients.
 * - down, starting -> `down`: no trustworthy answer from EMQX. Without `on-marked-down shutdown-sessions`
 *               (never for EMQX) HAProxy keeps the existing sessions.
 * - stopping -> the drain word with no health word: the sidecar is shutting down (pod termination or its
 *               own restart). A graceful restart wants no new clients and untouched existing ones; the
 *               sidecar knows nothing new about health, so it leaves health to the L4 check. A sidecar
 *               that stays gone leaves the node in MAINT (or DRAIN): out of rotation, fail closed.
 */
/** The words that decide routing: the agent protocol's answers (src/checkers/protocols.ts). */
export type AgentWord = (typeof CHECKER_PROTOCOLS.agent.answers)[number]
export const AGENT_WORDS: readonly AgentWord[] = CHECKER_PROTOCOLS.agent.answers

export interface AgentReply {
  /** the word that decides routing, for the probes metric */
  readonly word: AgentWord
  /** the line sent, without its newline */
  readonly line: string
}

function commands (drain: AgentDrainWord): Readonly<Record<NodeState, { word: AgentWord, words: string }>> {
  return {
    up: { word: 'ready', words: 'up ready' },
    draining: { word: drain, words: `up ${drain}` },
    down: { word: 'down', words: 'down' },
    starting: { word: 'down', words: 'down' },
    stopping: { word: drain, words: drain },
  }
}
const COMMANDS: Readonly<Record<AgentDrainWord, ReturnType<typeof commands>>> = { maint: commands('maint'), drain: commands('drain') }

/** The weight a ramp starts from: low enough to spare a node with no connection a leastconn herd, never 0% (HAProxy: DRAIN). */
export const RAMP_START_PERCENT = 10

/**
 * `--agent-ramp` (docs/agent-ramp.md): the weight, in percent of the server's HAProxy weight, for a node up for `upForMs`
 * (since its last state change: it turned up from starting, down or a drain). Rises linearly from RAMP_START_PERCENT
 * to 100 over `rampMs`, then stays 100, which must still be sent: HAProxy keeps the last weight an agent set.
 * Undefined when the ramp is off. Pure and cheap: one subtraction per answer, no timer.
 */
export function rampPercent (upForMs: number, rampMs: number): number | undefined {
  if (rampMs <= 0) return undefined
  if (upForMs >= rampMs) return 100
  return Math.min(100, RAMP_START_PERCENT + Math.floor(((100 - RAMP_START_PERCENT) * Math.max(0, upForMs)) / rampMs))
}

/** The line for a snapshot at `now`; with `rampMs` > 0 an available node's line carries its ramp weight (`up ready 37%`). */
export function agentReply (s: Snapshot, drain: AgentDrainWord, now = 0, rampMs = 0): AgentReply {
  const a = servedAnswer(s)
  const table = COMMANDS[drain]
  // `ready` only where HTTP answers 200: the words follow the one decision (state/model.ts servedAnswer)
  const { word, words } = a.available ? table.up : table[a.state]
  const weight = a.available ? rampPercent(now - a.since, rampMs) : undefined
  // Reason codes are [a-z_] only, so the description can never smuggle in a word, a `#` or a line end.
  return { word, line: `${words}${weight !== undefined ? ` ${weight}%` : ''} #${a.state} ${sanitize(a.reason)}` }
}

function sanitize (text: string): string {
  return text.replace(/[^A-Za-z0-9_.:-]/g, '_')
}
