import { connect, type Socket } from 'node:net'
import { once } from 'node:events'
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'

/** Sends raw bytes, then collects what comes back until the server closes or timeoutMs passes. */
export async function exchange (port: number, data: string | Buffer, timeoutMs = 3000): Promise<{ text: string, closed: boolean }> {
  const socket = connect(port, '127.0.0.1')
  await once(socket, 'connect')
  let text = ''
  socket.setEncoding('latin1').on('data', (c: string) => { text += c })
  socket.on('error', () => undefined)
  socket.write(data)
  const closed = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs)
    socket.once('close', () => { clearTimeout(timer); resolve(true) })
  })
  socket.destroy()
  return { text, closed }
}

/** Opens a TCP connection and resolves once connected; errors are swallowed (the server may drop it). */
export async function openSocket (port: number, opts: { allowHalfOpen?: boolean } = {}): Promise<Socket> {
  // allowHalfOpen: the client does not hang up when the server does (a peer that never closes)
  const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: opts.allowHalfOpen ?? false })
  socket.on('error', () => undefined)
  // Read (and discard) whatever arrives, so the server's FIN is seen: a paused socket that nobody reads
  // can sit in CLOSE-WAIT without ever emitting 'end' or 'close' (seen under load: the sidecar had closed
  // every idle connection, its ends in FIN-WAIT-2, while the test still waited for 'close').
  socket.resume()
  await once(socket, 'connect')
  return socket
}

/** Resolves when the socket has been closed (by either side). */
export async function closedWithin (socket: Socket, timeoutMs: number): Promise<boolean> {
  if (socket.destroyed || socket.closed) return true
  return await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs)
    socket.once('close', () => { clearTimeout(timer); resolve(true) })
  })
}

/** Open file descriptors of a process (Linux /proc): sockets, pipes, files. */
export function fdCount (pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length
}

/** Resident set size of a process in bytes (Linux /proc). */
export function rssBytes (pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m?.[1] !== undefined ? Number(m[1]) * 1024 : 0
}

/**
 * Both ends of a loopback TCP connection as the kernel sees them (ss from iproute2, which .ci/run installs), for
 * failure messages: a client socket that stays open is either held by the server process (ESTAB on both ends) or
 * was never handed to it (the server end in SYN-RECV or absent).
 */
export function kernelView (localPort: number): string {
  const r = spawnSync('ss', ['-tanH', `( sport = :${localPort} or dport = :${localPort} )`], { encoding: 'utf8' })
  if (r.error !== undefined) return `ss unavailable (${r.error.message})`
  return r.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/).filter((_, i) => i !== 1 && i !== 2).join(' ')).join('; ')
}
