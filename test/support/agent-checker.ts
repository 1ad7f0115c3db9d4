import { once } from 'node:events'
import { connect } from 'node:net'
import type { Test } from 'tap'

/** An HAProxy-style agent checker: connects to the agent port every 200 ms and reads the line, until the test ends. */
export async function agentChecker (t: Test, port: number): Promise<void> {
  const stopped = new AbortController()
  t.teardown(() => { stopped.abort() })
  const loop = async (): Promise<void> => {
    while (!stopped.signal.aborted) {
      const s = connect(port, '127.0.0.1')
      s.on('data', () => {})
      await once(s, 'close').catch(() => undefined)
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }
  loop().catch(() => undefined)
}
