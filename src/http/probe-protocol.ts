/**
 * The messages between the sidecar's main thread and its probe thread (probe-thread.ts, probe-worker.ts).
 * Types only: the worker imports nothing that runs from the main thread's side.
 */
import type { HttpLimits } from '../config/serve-config.js'
import type { MessagePort } from 'node:worker_threads'
import type { ProbeAnswer } from './availability.js'

/** What the worker starts with (its workerData). */
export interface ProbeWorkerData {
  readonly host: string
  readonly port: number
  readonly backlog: number
  readonly limits: HttpLimits
  /** the answer for the snapshot current when the thread starts (never a 200 the store did not give) */
  readonly answer: ProbeAnswer
  /**
   * Written by the main thread: at byte SHARED_CLOCK a Float64, the time it last ran on the system's
   * monotonic clock (process.hrtime, ms), and at byte SHARED_VERSION an Int32, the version of the newest
   * answer it has sent on `answers`.
   */
  readonly shared: SharedArrayBuffer
  /** AnswerUpdates, pulled by the worker (receiveMessageOnPort) when the shared version moves */
  readonly answers: MessagePort
  /** the main thread's clock older than this makes every probe a 503 (sidecar_stalled) */
  readonly stallMs: number
  /** socket idle timeout while a request handed to the main thread is being answered (GET /prestop may take minutes) */
  readonly forwardTimeoutMs: number
}

/** the layout of ProbeWorkerData.shared */
export const SHARED_BYTES = 16
export const SHARED_CLOCK = 0
export const SHARED_VERSION = 8

/** The system's monotonic clock in ms (CLOCK_MONOTONIC: the same in every thread, blind to wall-clock steps). */
export function monotonicMs (): number { return Number(process.hrtime.bigint()) / 1e6 }

/** main -> worker, on the `answers` port: posted before the shared version is raised to `version` */
export interface AnswerUpdate { readonly version: number, readonly answer: ProbeAnswer }

/** main -> worker */
export type ToWorker =
  | { readonly type: 'reply', readonly id: number, readonly status: number, readonly headers: Record<string, string | string[]>, readonly body: Uint8Array }
  | { readonly type: 'close' }

/**
 * The probes answered since the last batch, all with the same answer (`status`): the worker sends
 * one before every change of answer. Each connection's checker is a `slot`, named once in `idents`.
 */
export interface ProbeBatch {
  readonly type: 'batch'
  readonly status: 200 | 503
  /** new slots: slot, source address, user agent (null: none sent) */
  readonly idents: ReadonlyArray<readonly [number, string, string | null]>
  /** slot, time (epoch ms), for every probe, in the order answered */
  readonly events: Float64Array
  /** slots whose connection closed (or whose user agent changed): forget them */
  readonly closed: readonly number[]
  /** connections refused at --http-max-connections */
  readonly dropped: number
}

/** worker -> main */
export type FromWorker =
  | { readonly type: 'listening', readonly port: number }
  | { readonly type: 'listen-failed', readonly code: string | undefined, readonly message: string }
  | ProbeBatch
  | { readonly type: 'forward', readonly id: number, readonly method: string, readonly url: string, readonly headers: Record<string, string | string[] | undefined>, readonly body: Uint8Array, readonly remoteAddress: string | undefined }
  /** the main thread ran again after a stall during which `probes` were answered 503 */
  | { readonly type: 'stall-ended', readonly stalledMs: number, readonly probes: number }
  | { readonly type: 'closed' }
