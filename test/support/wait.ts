/**
 * Bounded waiting for a condition that has no event to await (another process's state, a socket).
 * Fails with the caller's message and the last observed value instead of hanging the suite.
 */
export async function waitFor<T> (probe: () => T | Promise<T>, accept: (v: T) => boolean, opts: { timeoutMs?: number, intervalMs?: number, what: string }): Promise<T> {
  const deadline = performance.now() + (opts.timeoutMs ?? 5000)
  let last: T | undefined
  let lastErr: unknown
  for (;;) {
    try {
      last = await probe()
      if (accept(last)) return last
    } catch (err) { lastErr = err }
    if (performance.now() > deadline) {
      const seen = lastErr !== undefined ? `error ${String(lastErr)}` : JSON.stringify(last)
      throw new Error(`timed out after ${opts.timeoutMs ?? 5000}ms waiting for ${opts.what}; last seen: ${seen}`)
    }
    await new Promise((resolve) => setTimeout(resolve, opts.intervalMs ?? 10))
  }
}

/** Resolves with the first value `emitter` passes to `event` that satisfies `accept`, or rejects after timeoutMs. */
export async function nextEvent<T extends unknown[]> (emitter: NodeJS.EventEmitter, event: string, accept: (...args: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  return await new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => { emitter.off(event, on); reject(new Error(`timed out after ${timeoutMs}ms waiting for ${what}`)) }, timeoutMs)
    const on = (...args: unknown[]): void => {
      if (!accept(...(args as T))) return
      clearTimeout(timer)
      emitter.off(event, on)
      resolve(args as T)
    }
    emitter.on(event, on)
  })
}
