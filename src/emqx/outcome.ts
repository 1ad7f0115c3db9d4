/** What one check of EMQX concluded. Pure data: produced by the parsers, consumed by the state layer. */
import type { FailureReason } from '../errors.js'

export type CheckOutcome =
  /** availability_check 200 (or node status 200 in fallback mode) */
  | { readonly kind: 'available' }
  /** EMQX's own availability 503: donor, evacuating or purging. Authoritative: drain at once. */
  | { readonly kind: 'unavailable', readonly code?: string }
  /** node status 503 (fallback mode): the emqx application is not running. Authoritative: down at once. */
  | { readonly kind: 'not_running' }
  /** no usable answer: counted, and only after failure-threshold in a row does the state change */
  | { readonly kind: 'failure', readonly reason: FailureReason, readonly detail: string, readonly httpStatus?: number }

export type OutcomeKind = CheckOutcome['kind']

export function failure (reason: FailureReason, detail: string, httpStatus?: number): CheckOutcome {
  return httpStatus === undefined ? { kind: 'failure', reason, detail } : { kind: 'failure', reason, detail, httpStatus }
}
