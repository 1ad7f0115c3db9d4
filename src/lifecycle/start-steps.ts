import { ErrorCodes, SidecarError } from '../errors.js'

/** Start-up failed at a step an operator can fix (a busy port, a missing file); the message names the flag. */
export class StartError extends SidecarError {
  constructor (message: string) {
    super(ErrorCodes.START_FAILED, message)
    this.name = 'StartError'
  }
}

/** `host:port`, with brackets for IPv6. */
export function hostPort (host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
}

/**
 * One line for a listener that could not open, naming the flag an operator changes:
 * `--admin-port 127.0.0.1:44869 is in use`. The address flag is named when the address is at fault.
 */
export function listenProblem (flags: { readonly port: string, readonly host: string }, host: string, port: number, err: unknown): string {
  const code = (err as { code?: unknown }).code
  const at = hostPort(host, port)
  switch (code) {
    case 'EADDRINUSE': return `${flags.port} ${at} is in use`
    case 'EACCES': return `${flags.port} ${at}: permission denied (ports below 1024 need privileges)`
    case 'EADDRNOTAVAIL': return `${flags.host} ${at}: ${host} is not an address of this host`
    case 'ENOTFOUND':
    case 'EAI_AGAIN': return `${flags.host} ${host}: the host name does not resolve`
    default: return `${flags.port} ${at}: cannot listen (${typeof code === 'string' ? code : (err as Error).message})`
  }
}

/**
 * What start-up has opened so far, closed in reverse order when a later step fails, so a failed
 * start leaves no listener or timer behind and the process can exit at once (all or nothing).
 */
export class UndoList {
  readonly #steps: Array<() => unknown> = []

  push (close: () => unknown): void { this.#steps.push(close) }

  /** Closes everything opened, newest first; a close that fails does not stop the others. */
  async unwind (): Promise<void> {
    for (const close of this.#steps.splice(0).reverse()) {
      try { await close() } catch { /* already failing: the first error is the one reported */ }
    }
  }
}
