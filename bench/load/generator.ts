import { connect, type Socket } from 'node:net'

/**
 * A minimal HTTP/1.1 load generator on raw sockets. Not autocannon, because autocannon cannot
 * (a) open a new connection per request and count its answers (its reconnectRate path drops the
 * response), nor (b) send at a fixed rate without bursts (it releases each connection's whole
 * per-second quota at once), which would measure its own bursts instead of the server's latency.
 * It only understands answers with Content-Length, which every server under test sends.
 */
export interface LoadSpec {
  readonly host: string
  readonly port: number
  readonly path: string
  readonly connections: number
  /** false: `Connection: close` and a new TCP connection per request, as most health checkers do */
  readonly keepAlive: boolean
  readonly durationMs: number
  /** answers in this first stretch are not recorded (connections opening, JIT warming) */
  readonly warmupMs: number
  /** total requests per second spread evenly over the connections; absent: each connection sends again as soon as it has its answer */
  readonly rate?: number
}

export interface LoadResult {
  readonly requests: number
  readonly errors: number
  readonly statuses: Record<string, number>
  readonly elapsedMs: number
  /** milliseconds, one per recorded answer; with a rate, measured from the scheduled send time (no coordinated omission) */
  readonly latenciesMs: Float64Array
}

const HEADER_END = Buffer.from('\r\n\r\n')
const CL = /\r\ncontent-length:\s*(\d+)/i

/** Length of the complete answer at the start of buf and its status, or undefined while incomplete. */
export function parseAnswer (buf: Buffer): { length: number, status: number } | undefined {
  const end = buf.indexOf(HEADER_END)
  if (end === -1) return undefined
  const head = buf.toString('latin1', 0, end)
  const m = CL.exec(head)
  const bodyLength = m?.[1] !== undefined ? Number(m[1]) : 0
  const length = end + 4 + bodyLength
  if (buf.length < length) return undefined
  return { length, status: Number(head.slice(9, 12)) }
}

export async function runLoad (spec: LoadSpec): Promise<LoadResult> {
  const request = Buffer.from(`GET ${spec.path} HTTP/1.1\r\nHost: ${spec.host}:${spec.port}\r\nUser-Agent: emqx-lb-sidecar-bench\r\n${spec.keepAlive ? '' : 'Connection: close\r\n'}\r\n`)
  const started = performance.now()
  const recordFrom = started + spec.warmupMs
  const stopAt = recordFrom + spec.durationMs
  let latencies = new Float64Array(1 << 16)
  let n = 0
  let errors = 0
  const statuses: Record<string, number> = {}
  const record = (status: number, ms: number, at: number): void => {
    if (at < recordFrom) return
    if (n === latencies.length) { const bigger = new Float64Array(n * 2); bigger.set(latencies); latencies = bigger }
    latencies[n++] = ms
    statuses[status] = (statuses[status] ?? 0) + 1
  }
  const period = spec.rate !== undefined ? spec.connections * 1000 / spec.rate : 0

  const loops = Array.from({ length: spec.connections }, async (_, i) => {
    let socket: Socket | undefined
    // stagger first sends evenly over one period so a fixed rate has no bursts
    let scheduled = started + (period * i) / spec.connections
    while (performance.now() < stopAt) {
      let now = performance.now()
      if (period > 0) {
        // a connection that fell behind while warming up (a SYN retried after 1 s) starts afresh rather
        // than catching up in a burst; once recording, missed sends are sent late and timed from their schedule
        if (now < recordFrom && now > scheduled + period) scheduled = now
        const wait = scheduled - now
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
        now = performance.now()
        if (now >= stopAt) break
      }
      // timers may fire up to a millisecond early: time from whichever came first, the schedule or the send
      const sentAt = period > 0 ? Math.min(scheduled, now) : now
      scheduled += period
      try {
        if (socket === undefined || socket.destroyed) socket = await open(spec)
        const { status, at } = await exchange(socket, request, !spec.keepAlive)
        record(status, at - sentAt, at)
      } catch {
        if (performance.now() >= recordFrom && performance.now() < stopAt) errors++
        socket?.destroy()
        socket = undefined
        // a refused or reset connection: do not spin
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
      if (!spec.keepAlive) { socket?.destroy(); socket = undefined }
    }
    socket?.destroy()
  })
  await Promise.all(loops)
  return { requests: n, errors, statuses, elapsedMs: Math.min(performance.now(), stopAt) - recordFrom, latenciesMs: latencies.subarray(0, n) }
}

async function open (spec: LoadSpec): Promise<Socket> {
  return await new Promise((resolve, reject) => {
    const s = connect({ host: spec.host, port: spec.port, noDelay: true })
    s.once('connect', () => { s.off('error', reject); resolve(s) })
    s.once('error', reject)
    // between exchanges nobody else listens; an unhandled 'error' would end the generator
    s.on('error', () => {})
  })
}

/**
 * Writes one request and resolves with the status and the time the whole answer was in. With close,
 * resolves only once the server has closed too, so the client never holds the TIME_WAIT side (as a
 * real checker reading to EOF does not) and the next connection does not overlap this one.
 */
async function exchange (socket: Socket, request: Buffer, untilClose: boolean): Promise<{ status: number, at: number }> {
  return await new Promise((resolve, reject) => {
    let buf: Buffer = Buffer.alloc(0)
    let status: number | undefined
    let at = 0
    const done = (err?: Error): void => {
      socket.off('data', onData)
      socket.off('error', onError)
      socket.off('close', onClose)
      clearTimeout(timer)
      if (err !== undefined) reject(err)
      else resolve({ status: status ?? 0, at })
    }
    const onData = (chunk: Buffer): void => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk])
      if (status !== undefined) return
      const a = parseAnswer(buf)
      if (a === undefined) return
      status = a.status
      at = performance.now()
      if (!untilClose) done()
    }
    const onError = (err: Error): void => { done(err) }
    const onClose = (): void => { done(status === undefined ? new Error('closed before an answer') : undefined) }
    const timer = setTimeout(() => { done(new Error('no answer within 10 s')) }, 10_000)
    socket.on('data', onData)
    socket.on('error', onError)
    socket.on('close', onClose)
    socket.write(request)
  })
}
