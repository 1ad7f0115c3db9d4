import { createServer, type AddressInfo } from 'node:net'

/**
 * A loopback port that was free a moment ago, for programs that cannot listen on port 0 and report
 * back (haproxy, mosquitto). The OS hands out ephemeral ports round-robin, so reuse within the few
 * milliseconds before the caller binds it is unlikely; callers still fail loudly if it happens.
 */
export async function freePort (host = '127.0.0.1'): Promise<number> {
  return await new Promise((resolve, reject) => {
    const s = createServer()
    s.on('error', reject)
    s.listen(0, host, () => {
      const { port } = s.address() as AddressInfo
      s.close(() => resolve(port))
    })
  })
}
