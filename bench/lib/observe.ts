import { Pool } from 'undici'

/**
 * Watches a probe endpoint: one keep-alive connection, requests back to back, so a change of answer
 * is seen within one round trip (well under a millisecond on loopback).
 */
export class Observer {
  readonly #pool: Pool

  constructor (port: number) {
    this.#pool = new Pool(`http://127.0.0.1:${port}`, { connections: 1, pipelining: 1 })
  }

  async status (path = '/availability'): Promise<number> {
    const res = await this.#pool.request({ method: 'GET', path })
    await res.body.dump()
    return res.statusCode
  }

  /** Resolves with performance.now() at the first answer with `want`; rejects after timeoutMs. */
  async until (want: number, timeoutMs: number, path = '/availability'): Promise<number> {
    const deadline = performance.now() + timeoutMs
    for (;;) {
      const s = await this.status(path)
      const now = performance.now()
      if (s === want) return now
      if (now > deadline) throw new Error(`${path} still answered ${s} after ${timeoutMs} ms (waiting for ${want})`)
    }
  }

  async close (): Promise<void> { await this.#pool.close() }
}
