/**
 * The checker protocols: the ways a load balancer asks this sidecar whether to send the node new connections,
 * one entry each, as blackbox_exporter's prober map holds one entry per prober. Everything that differs between
 * protocols outside their listener is read from here: the `kind` of a checker (/status, the log, the live page's
 * words), the `protocol` label of the probe and connection metrics (with every answer's series started at 0), and
 * the drain answers a checker of the protocol needs before it acts (the told rule: ./rule.ts). A protocol's
 * listener answers from the snapshot's one decision (src/state/model.ts servedAnswer), counts each answer under
 * its entry's name and hands each probe to the tracker. docs/checker-protocols.md says how to add one.
 */
export interface CheckerProtocol {
  /** who speaks it */
  readonly what: string
  /**
   * drain answers its checkers need before they act: `checker-fall` reads --checker-fall (HAProxy's `fall`,
   * Kubernetes' `failureThreshold`), a number is the protocol's own rule
   */
  readonly fall: number | 'checker-fall'
  /** every answer it gives, as counted (`probes_total{protocol,answer}`, each series starts at 0) */
  readonly answers: readonly string[]
  /** what the live page calls one of its checkers */
  readonly label: string
}

export const CHECKER_PROTOCOLS = {
  http: {
    what: 'HTTP health checks: HAProxy httpchk, nginx-sync, cloud load balancers, Kubernetes probes',
    fall: 'checker-fall',
    // the HTTP status (src/http/listeners/probe.ts)
    answers: ['200', '503'],
    label: 'HTTP check',
  },
  agent: {
    // HAProxy acts on the agent's `maint`, `drain` or `down` at once: no fall applies to agent-check answers
    what: 'HAProxy agent-check',
    fall: 1,
    // the word that decides routing (src/agent/words.ts maps each state to its line; maint or drain: --agent-drain-word)
    answers: ['ready', 'maint', 'drain', 'down'],
    label: 'agent-check',
  },
} as const satisfies Readonly<Record<string, CheckerProtocol>>

/** A checker protocol's name: `kind` in /status, `protocol` in the metrics. */
export type CheckerKind = keyof typeof CHECKER_PROTOCOLS

/** Every protocol, in the registry's order. */
export const CHECKER_KINDS = Object.keys(CHECKER_PROTOCOLS) as readonly CheckerKind[]
