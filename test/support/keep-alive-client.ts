import { once } from 'node:events'
import { connect, type Socket } from 'node:net'

/** One keep-alive connection, one request at a time; resolves each answer's status and body. */
export async function keepAlive (port: number): Promise<{ send: (request: string) => Promise<{ status: number, body: string }>, close: () => void }> {
  const socket: Socket = connect(port, '127.0.0.1')
  await once(socket, 'connect')
  let buf = Buffer.alloc(0)
  let waiting: ((r: { status: number, body: string }) => void) | undefined
  socket.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk])
    const end = buf.indexOf('\r\n\r\n')
    if (end === -1) return
    const head = buf.toString('latin1', 0, end)
    const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0)
    if (buf.length < end + 4 + length) return
    const body = buf.toString('utf8', end + 4, end + 4 + length)
    buf = buf.subarray(end + 4 + length)
    const w = waiting
    waiting = undefined
    w?.({ status: Number(head.slice(9, 12)), body })
  })
  return {
    send: async (request) => await new Promise((resolve) => { waiting = resolve; socket.write(request) }),
    close: () => { socket.destroy() },
  }
}
