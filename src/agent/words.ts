import { CHECKER_PROTOCOLS } from '../checkers/protocols.js'
import { servedAnswer, type NodeState, type Snapshot } from '../state/model.js'

/**
 * HAProxy agent-check words for a snapshot: pure, one line, no newline.
 * HAProxy reads one line; words are separated by spaces; the last word of each category wins; text
 * after `#` is a description shown in the stats page and logs (../../haproxy/README.md has the table).
 *
 * - up       -> `up ready`: healthy, and clear any drain/maint this agent set before.
 * - draining -> `up drain`: EMQX's own 503 (donor, evacuating, purging). `drain` stops new connections but
 *               leaves existing ones alone (EMQX evicts them at its own rate); `up` undoes an earlier agent
 *               `down`, because EMQX answering 503 means the node is healthy, just not taking new clients.
 * - down, starting -> `down`: no trustworthy answer from EMQX. Without `on-marked-down shutdown-sessions`
 *               (never for EMQX) HAProxy keeps the existing sessions.
 * - stopping -> `drain` with no health word: the sidecar is shutting down (pod termination or its own
 *               restart). A graceful restart wants no new clients and untouched existing ones; the sidecar
 *               knows nothing new about health, so it leaves health to the L4 check.
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

const COMMANDS: Readonly<Record<NodeState, { word: AgentWord, words: string }>> = {
  up: { word: 'ready', words: 'up ready' },
  draining: { word: 'drain', words: 'up drain' },
  down: { word: 'down', words: 'down' },
  starting: { word: 'down', words: 'down' },
  stopping: { word: 'drain', words: 'drain' },
}

export function agentReply (s: Snapshot): AgentReply {
  const a = servedAnswer(s)
  // `ready` only where HTTP answers 200: the words follow the one decision (state/model.ts servedAnswer)
  const { word, words } = a.available ? COMMANDS.up : COMMANDS[a.state]
  // Reason codes are [a-z_] only, so the description can never smuggle in a word, a `#` or a line end.
  return { word, line: `${words} #${a.state} ${sanitize(a.reason)}` }
}

function sanitize (text: string): string {
  return text.replace(/[^A-Za-z0-9_.:-]/g, '_')
}
