import { agentReply } from '../agent/words.js'
import type { AgentDrainWord } from '../config/serve-types.js'
import { AVAILABILITY_PATHS } from '../http/listeners/probe.js'
import { initialSnapshot } from '../state/transition.js'

/**
 * What the sidecar answers, read from the sidecar's own code so that the doctor cannot drift from it:
 * the paths its probes answer on, and the agent-check words it sends while EMQX drains the node.
 */
export const PROBE_PATHS: readonly string[] = AVAILABILITY_PATHS

/** The words of the agent's reply for a draining node (`up maint` by default), without its `#` description. */
export function agentDrainWords (drain: AgentDrainWord): readonly string[] {
  const start = initialSnapshot(0)
  const line = agentReply({ ...start, state: 'draining', reason: 'emqx_unavailable' }, drain).line
  return (line.split('#')[0] ?? '').trim().split(/[\s,]+/)
}

/**
 * Whether HAProxy keeps sending remembered (stick-table) clients to a node the agent takes out: true for
 * the admin word `drain` (HAProxy's DRAIN takes "no new traffic except persistent"), false for `maint`
 * or a health word `down` (stick entries to such a server are ignored; measured with HAProxy 2.6).
 */
export function agentDrainKeepsStickyClients (words: readonly string[]): boolean {
  return words.includes('drain') && !words.includes('maint') && !words.some((w) => ['down', 'fail', 'stopped'].includes(w))
}
