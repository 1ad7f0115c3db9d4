import type { AckEnd, AckWaitProgress } from './evacuation-types.js'

/** The acknowledged wait, given to the evacuator from above (src/ack): state imports no ack code. */
export interface AckPort {
  /** whether there is anything to confirm: a checker expected, or --expect-checkers */
  readonly canWait: () => boolean
  /** waits until acknowledged plus the grace, or maxMs; undefined when aborted */
  readonly wait: (o: {
    readonly startedAt: number
    readonly maxMs: number
    readonly signal: AbortSignal
    readonly onProgress: (p: AckWaitProgress) => void
  }) => Promise<{ readonly endedBy: AckEnd } | undefined>
}
