import { request, type IncomingMessage } from 'node:http'

export interface SseEvent { readonly id: string | undefined, readonly event: string, readonly data: string }

export interface SseStream {
  readonly res: IncomingMessage
  /** every event so far, in order */
  readonly events: SseEvent[]
  /** comment lines (`: ...`) so far */
  readonly comments: string[]
  /** the `retry:` values so far */
  readonly retries: number[]
  /** resolves once the server ended the stream */
  readonly ended: Promise<void>
  /** the first event (from index `from` on) that `match` accepts; rejects after timeoutMs */
  next: (match: (e: SseEvent) => boolean, timeoutMs: number, what: string, from?: number) => Promise<SseEvent>
  /** resolves once `cond` holds for what was received; rejects after timeoutMs */
  until: (cond: () => boolean, timeoutMs: number, what: string) => Promise<void>
  close: () => void
}

/** Opens GET `path` on a loopback port and parses the server-sent events as they arrive (a test's EventSource). */
export async function openEvents (port: number, headers: Record<string, string> = {}, path = '/events'): Promise<SseStream> {
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { accept: 'text/event-stream', ...headers } }, resolve)
    req.on('error', reject)
    req.end()
  })
  const events: SseEvent[] = []
  const comments: string[] = []
  const retries: number[] = []
  const waiters = new Set<() => void>()
  let buffer = ''
  let lastId: string | undefined
  const ended = new Promise<void>((resolve) => { res.once('end', resolve); res.once('close', resolve) })
  res.setEncoding('utf8')
  res.on('data', (chunk: string) => {
    buffer += chunk
    let cut: number
    while ((cut = buffer.indexOf('\n\n')) !== -1) {
      const block = buffer.slice(0, cut)
      buffer = buffer.slice(cut + 2)
      let event = 'message'
      const data: string[] = []
      let hasField = false
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) { comments.push(line.slice(1).trim()); continue }
        const i = line.indexOf(':')
        const field = i === -1 ? line : line.slice(0, i)
        const value = i === -1 ? '' : line.slice(i + 1).replace(/^ /, '')
        if (field === 'id') { lastId = value; hasField = true } else if (field === 'event') { event = value; hasField = true } else if (field === 'data') {
          data.push(value)
          hasField = true
        } else if (field === 'retry') retries.push(Number(value))
      }
      if (hasField && data.length > 0) events.push({ id: lastId, event, data: data.join('\n') })
    }
    for (const w of [...waiters]) w()
  })
  res.on('error', () => undefined)
  const until = async (cond: () => boolean, timeoutMs: number, what: string): Promise<void> => {
    if (cond()) return
    await new Promise<void>((resolve, reject) => {
      const check = (): void => { if (cond()) { clearTimeout(timer); waiters.delete(check); resolve() } }
      const timer = setTimeout(() => {
        waiters.delete(check)
        reject(new Error(`timed out after ${timeoutMs}ms waiting for ${what}; got ${events.map((e) => `${e.event}#${e.id ?? ''}`).join(' ')}`))
      }, timeoutMs)
      waiters.add(check)
      ended.then(check, check)
    })
  }
  const next = async (match: (e: SseEvent) => boolean, timeoutMs: number, what: string, from = 0): Promise<SseEvent> => {
    const find = (): SseEvent | undefined => events.slice(from).find(match)
    await until(() => find() !== undefined, timeoutMs, what)
    return find() as SseEvent
  }
  return { res, events, comments, retries, ended, next, until, close: () => { res.destroy() } }
}
