import { createServer } from 'node:net'

/**
 * A loopback port that was free a moment ago, for components that cannot listen on port 0 and report
 * back (nginx, mosquitto). The kernel hands out ephemeral ports in sequence, so a reuse race is unlikely.
 */
export async function freePort (host = '127.0.0.1'): Promise<number> {
  return await new Promise<number>((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, host, () => {
      const addr = srv.address()
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0
      srv.close(() => resolve(port))
    })
  })
}
