import type { AckChecker } from '../checkers/rule.js'
import type { AgentDrainWord } from '../config/serve-types.js'

/** Where the recipe is: the shipped config and the measured table behind it. */
export const STICKY_RECIPE = 'haproxy/haproxy-sticky.cfg (haproxy/README.md, "Stickiness and drains")'

/**
 * Why CONNECTs may go on reaching a node after every checker was told, when HAProxy's agent is among them: the
 * likeliest cause is a stick table (EMQX's HAProxy guide keeps each client ID on one node), since HAProxy's DRAIN
 * still sends a drained server every client its table remembers; MAINT and DOWN do not (measured:
 * test/e2e/haproxy-sticky-words.test.ts). Pure; undefined when no agent checker was told.
 */
export function stickinessHint (checkers: readonly AckChecker[], word: AgentDrainWord | undefined): string | undefined {
  if (!checkers.some((c) => c.kind === 'agent' && c.told)) return undefined
  return word === 'drain'
    ? 'a likely cause is stickiness: this agent answers drain (--agent-drain-word drain), and HAProxy still sends a DRAIN ' +
      `server every client its stick table remembers; answer maint (the default), see ${STICKY_RECIPE}`
    : 'if HAProxy keeps clients on a node with a stick table (EMQX\'s HAProxy guide), a likely cause is stickiness: something ' +
      '(another agent, a runtime `set server ... state drain`) drains this server with DRAIN, which still takes every client the ' +
      `table remembers; see ${STICKY_RECIPE}`
}
