/**
 * The probe thread (a worker_threads Worker started by probe-thread.ts): owns the sidecar's HTTP
 * listener, answers availability probes from the answer the main thread last sent, and hands every
 * other request to the main thread's fastify app. It loads node:http and a few small files only, so
 * node's HTTP code runs in an isolate that nothing else has touched (bench/README.md: in the main
 * thread, beside fastify, undici and pino, the same handler costs ~20% more CPU per request).
 *
 * Fail closed: the thread answers 200 only while the main thread keeps running. The main thread
 * raises a shared tick ten times a second; once it has not moved for `stallMs` (timed here, on this
 * thread's monotonic clock), every probe gets 503 (reason sidecar_stalled) until it moves again.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads'
import { stalledAnswer, type ProbeAnswer } from './availability.js'
import { createProbeServer, writeProbeAnswer } from './fast-path.js'
import { applyServerLimits, serverOptions } from './limits.js'
import { userAgent } from './probe-observer.js'
import { SHARED_TICK, SHARED_VERSION, type AnswerUpdate, type FromWorker, type ProbeWorkerData, type ToWorker } from './probe-protocol.js'

/** how often recorded probes go to the main thread (its tracker, metrics, /status) */
const FLUSH_MS = 100
/** a batch goes out at once beyond this many probes */
const MAX_EVENTS = 16_384
/** a request body the main thread would refuse anyway (fastify's bodyLimit is 4 KiB) is not read past this */
const FORWARD_BODY_MAX = 64 * 1024

const port = parentPort
if (port === null) throw new Error('probe-worker.ts runs as a worker thread only')
const data = workerData as ProbeWorkerData
const words = new Int32Array(data.shared)
const post = (m: FromWorker, transfer?: ArrayBuffer[]): void => { port.postMessage(m, transfer) }

let answer: ProbeAnswer = data.answer
let applied = 0
/** set while the main thread is stalled: every probe gets its 503 */
let stall: { readonly answer: ProbeAnswer, readonly since: number, probes: number } | undefined

// when this thread first saw the main thread's current tick (performance.now(): monotonic)
let seenTick = Atomics.load(words, SHARED_TICK)
let seenAt = performance.now()

/**
 * Run every 100 ms (the flush timer): starts or ends the stall answer when the main thread's tick has
 * not moved for over `stallMs`, timed on this thread's own monotonic clock.
 */
function watchMain (): void {
  const now = performance.now()
  const tick = Atomics.load(words, SHARED_TICK)
  if (tick !== seenTick) { seenTick = tick; seenAt = now }
  const silent = now - seenAt
  if (silent > data.stallMs && stall === undefined) {
    const since = Date.now() - silent
    stall = { answer: stalledAnswer(since, data.stallMs), since, probes: 0 }
  } else if (silent <= data.stallMs && stall !== undefined) {
    flush()
    post({ type: 'stall-ended', stalledMs: Math.round(Date.now() - stall.since), probes: stall.probes })
    stall = undefined
  }
}

/**
 * The answer for a probe now: the main thread's newest, or 503 while the main thread is stalled.
 * The main thread raises the shared version after posting an answer, so a probe that arrives after
 * a snapshot change gets the new answer even if this thread has not yet taken the message: it pulls
 * it here (no window in which a drained node is still announced available).
 */
function current (): ProbeAnswer {
  if (stall !== undefined) { stall.probes++; return stall.answer }
  if (Atomics.load(words, SHARED_VERSION) !== applied) {
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
    if (s === undefined) socket.once('close', () => { const last = socket[SLOT]; if (last !== undefined) closed.push(last.slot) })
    else closed.push(s.slot)
    s = { slot: nextSlot++, userAgent: ua }
    socket[SLOT] = s
    idents.push([s.slot, socket.remoteAddress ?? 'unknown', ua ?? null])
  }
  events[n++] = s.slot
  events[n++] = at
  if (n === events.length) flush()
}

function flush (): void {
  if (n === 0 && idents.length === 0 && closed.length === 0 && dropped === 0) return
  const e = events.slice(0, n)
  post({ type: 'batch', status: pendingStatus, idents, events: e, closed, dropped }, [e.buffer])
  n = 0
  idents = []
  closed = []
  dropped = 0
}
const flushTimer = setInterval(() => { watchMain(); flush() }, FLUSH_MS)
flushTimer.unref()

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
    const body = Buffer.concat(chunks)
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
applyServerLimits(server, data.limits, () => { dropped++ })

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
        clearInterval(flushTimer)
        data.answers.close()
        flush()
        post({ type: 'closed' })
      })
      server.closeIdleConnections()
      break
  }
})
