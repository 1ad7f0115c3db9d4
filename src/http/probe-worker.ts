/**
 * The probe thread (a worker_threads Worker started by probe-thread.ts): owns the sidecar's HTTP
 * listener, answers availability probes from the answer the main thread last sent, and hands every
 * other request to the main thread's fastify app. It loads node:http and a few small files only, so
 * node's HTTP code runs in an isolate that nothing else has touched (bench/README.md: in the main
 * thread, beside fastify, undici and pino, the same handler costs ~20% more CPU per request).
 *
 * Fail closed: the thread answers 200 only while the main thread keeps running. The main thread
 * writes the time (the system's monotonic clock) into shared memory every second; a probe that finds
 * it older than `stallMs` gets 503 (reason sidecar_stalled), and so does every probe until it moves again.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads'
import { stalledAnswer, type ProbeAnswer } from './availability.js'
import { createProbeServer, writeProbeAnswer } from './fast-path.js'
import { applyServerLimits, serverOptions } from './limits.js'
import { userAgent } from './probe-observer.js'
import { monotonicMs, SHARED_CLOCK, SHARED_VERSION, type AnswerUpdate, type FromWorker, type ProbeWorkerData, type ToWorker } from './probe-protocol.js'

/** how often recorded probes go to the main thread (its tracker, metrics, /status) */
const FLUSH_MS = 100
/** a batch goes out at once beyond this many probes */
const MAX_EVENTS = 16_384
/** a request body the main thread would refuse anyway (fastify's bodyLimit is 4 KiB) is not read past this */
const FORWARD_BODY_MAX = 64 * 1024

const port = parentPort
if (port === null) throw new Error('probe-worker.ts runs as a worker thread only')
const data = workerData as ProbeWorkerData
const clock = new Float64Array(data.shared, SHARED_CLOCK, 1)
const version = new Int32Array(data.shared, SHARED_VERSION, 1)
// the monotonic clock without an allocation per probe: performance.now() is monotonic too, offset once
const offset = monotonicMs() - performance.now()
const post = (m: FromWorker, transfer?: ArrayBuffer[]): void => { port.postMessage(m, transfer) }

let answer: ProbeAnswer = data.answer
let applied = 0
/** set while the main thread is stalled: every probe gets its 503 */
let stall: { readonly answer: ProbeAnswer, readonly since: number, probes: number } | undefined

/**
 * The answer for a probe now: the main thread's newest, or 503 while the main thread is stalled (its
 * clock older than `stallMs`). The main thread raises the shared version after posting an answer, so a
 * probe that arrives after a snapshot change gets the new answer even if this thread has not yet taken
 * the message: it pulls it here (no window in which a drained node is still announced available).
 */
function current (): ProbeAnswer {
  const silent = performance.now() + offset - (clock[0] as number)
  if (silent > data.stallMs) {
    if (stall === undefined) {
      const since = Date.now() - silent
      stall = { answer: stalledAnswer(since, data.stallMs), since, probes: 0 }
    }
    stall.probes++
    return stall.answer
  }
  if (stall !== undefined) {
    post({ type: 'stall-ended', stalledMs: Math.round(Date.now() - stall.since), probes: stall.probes })
    stall = undefined
  }
  if (Atomics.load(version, 0) !== applied) {
    for (let m = receiveMessageOnPort(data.answers); m !== undefined; m = receiveMessageOnPort(data.answers)) {
      const u = m.message as AnswerUpdate
      answer = u.answer
      applied = u.version
    }
  }
  return answer
}

// ---- probes recorded for the tracker, sent in batches that share one answer

interface SocketSlot { readonly slot: number, readonly userAgent: string | undefined }
const SLOT = Symbol('emqx-lb-sidecar.slot')
type SlottedSocket = Socket & { [SLOT]?: SocketSlot }

let nextSlot = 1
// slot, time pairs; n of them filled
const events = new Float64Array(2 * MAX_EVENTS)
let n = 0
let idents: Array<[number, string, string | null]> = []
let closed: number[] = []
let dropped = 0
/** the status every recorded probe since the last flush was answered with */
let pendingStatus: 200 | 503 = answer.status

function record (req: IncomingMessage, at: number, status: 200 | 503): void {
  if (status !== pendingStatus) { flush(); pendingStatus = status }
  const socket = req.socket as SlottedSocket
  const ua = userAgent(req.rawHeaders)
  let s = socket[SLOT]
  if (s === undefined || s.userAgent !== ua) {
    if (s === undefined) socket.once('close', () => { const last = socket[SLOT]; if (last !== undefined) { closed.push(last.slot); scheduleFlush() } })
    else closed.push(s.slot)
    s = { slot: nextSlot++, userAgent: ua }
    socket[SLOT] = s
    idents.push([s.slot, socket.remoteAddress ?? 'unknown', ua ?? null])
  }
  if (n === 0) scheduleFlush()
  events[n++] = s.slot
  events[n++] = at
  if (n === events.length) flush()
}

// armed by the first thing recorded after a flush: no timer while nothing happens
let flushTimer: ReturnType<typeof setTimeout> | undefined
function scheduleFlush (): void {
  if (flushTimer !== undefined) return
  flushTimer = setTimeout(flush, FLUSH_MS)
  flushTimer.unref()
}

function flush (): void {
  if (flushTimer !== undefined) { clearTimeout(flushTimer); flushTimer = undefined }
  if (n === 0 && idents.length === 0 && closed.length === 0 && dropped === 0) return
  const e = events.slice(0, n)
  post({ type: 'batch', status: pendingStatus, idents, events: e, closed, dropped }, [e.buffer])
  n = 0
  idents = []
  closed = []
  dropped = 0
}

// ---- everything that is not a probe: answered by the main thread's fastify app

let nextRequest = 1
const waiting = new Map<number, ServerResponse>()

function forward (req: IncomingMessage, res: ServerResponse): void {
  // the main thread sees every probe answered before this request (/status, /metrics)
  flush()
  const chunks: Buffer[] = []
  let size = 0
  req.on('data', (c: Buffer) => {
    size += c.length
    if (size <= FORWARD_BODY_MAX) { chunks.push(c); return }
    if (res.headersSent) return
    // answered at once; the connection is closed once the answer is out, whatever else the client sends
    res.writeHead(413, { 'content-type': 'application/json', 'cache-control': 'no-store', connection: 'close' })
    res.end('{"error":"body_too_large"}', () => { req.socket.destroy() })
  })
  req.on('end', () => {
    if (size > FORWARD_BODY_MAX) return
    const id = nextRequest++
    waiting.set(id, res)
    res.on('close', () => { waiting.delete(id) })
    req.socket.setTimeout(data.forwardTimeoutMs)
    // a copy of exactly the body: a pooled Buffer would post its whole pool
    const body = new Uint8Array(Buffer.concat(chunks))
    post({ type: 'forward', id, method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body, remoteAddress: req.socket.remoteAddress })
  })
}

/** hop-by-hop headers of the injected answer: this connection's own are node's business */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding'])

function reply (id: number, status: number, headers: Record<string, string | string[]>, body: Uint8Array): void {
  const res = waiting.get(id)
  if (res === undefined || res.destroyed) return
  waiting.delete(id)
  res.socket?.setTimeout(data.limits.requestTimeoutMs)
  const out: Record<string, string | string[]> = {}
  for (const [k, v] of Object.entries(headers)) if (!HOP_BY_HOP.has(k)) out[k] = v
  res.writeHead(status, out)
  res.end(body)
}

// ---- the listener

const server = createProbeServer(forward, (req, res) => {
  const a = current()
  record(req, Date.now(), a.status)
  writeProbeAnswer(res, req.method, a)
}, { keepAliveTimeout: data.limits.keepAliveTimeoutMs, requestTimeout: data.limits.requestTimeoutMs, connectionTimeout: data.limits.requestTimeoutMs }, serverOptions(data.limits))
applyServerLimits(server, data.limits, () => { dropped++; scheduleFlush() })

server.once('error', (err: NodeJS.ErrnoException) => { post({ type: 'listen-failed', code: err.code, message: err.message }) })
server.listen({ host: data.host, port: data.port, backlog: data.backlog }, () => {
  const address = server.address()
  post({ type: 'listening', port: typeof address === 'object' && address !== null ? address.port : data.port })
})

port.on('message', (m: ToWorker) => {
  switch (m.type) {
    case 'reply':
      reply(m.id, m.status, m.headers, m.body)
      break
    case 'close':
      // like fastify's close: no new connections, idle keep-alive ones closed now, busy ones after their answer
      server.close(() => {
        data.answers.close()
        flush()
        post({ type: 'closed' })
      })
      server.closeIdleConnections()
      break
  }
})
