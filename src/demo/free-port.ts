import { createServer } from 'node:net'

// Linux hands out ephemeral ports (bind to port 0, and the source port of every outgoing connection)
// from net.ipv4.ip_local_port_range, 32768-60999 by default. A port the OS picked for us and we then
// freed can be taken a moment later as the source port of another connection (another test's, or the
// demo's own clients) before the program we pass it to binds it ("--agent-port ... is in use"). Ports
// below that range are never handed out on their own, so only another caller choosing the same one at
// random can take it.
const LOW = 20000
const HIGH = 32000
const given = new Set<number>()

/**
 * A loopback port that was free a moment ago, for programs that cannot listen on port 0 and report
 * back (haproxy, mosquitto, nginx, the sidecar's fixed ports): chosen at random below the ephemeral
 * range, checked by binding it, never the same twice in one process. The demo and the tests use it.
 */
export async function freePort (host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW))
    if (given.has(port)) continue
    if (await bindable(port, host)) { given.add(port); return port }
  }
  throw new Error(`freePort: no free port found in ${LOW}-${HIGH} on ${host} after 200 tries`)
}

async function bindable (port: number, host: string): Promise<boolean> {
  return await new Promise((resolve) => {
    const s = createServer()
    s.once('error', () => { resolve(false) })
    s.listen({ port, host, exclusive: true }, () => { s.close(() => { resolve(true) }) })
  })
}
