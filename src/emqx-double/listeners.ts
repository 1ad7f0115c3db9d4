import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createTlsServer } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import { once } from 'node:events'
import type { SimOptions } from './options.js'

/** Which listener a request came in on: the API (5.x's dashboard/API port, 4.4's management port) or 4.4's dashboard. */
export type Listener = 'api' | 'dashboard'

export interface ListenerOptions {
  readonly host: string
  readonly port: number
  readonly dashboardPort: number
  /** open 4.4's dashboard listener beside the API one */
  readonly dashboard: boolean
  readonly tls: SimOptions['tls']
  readonly handler: (req: IncomingMessage, res: ServerResponse, listener: Listener) => void
}

/**
 * The double's HTTP(S) listeners. Ports chosen at the first listen() are kept, so closing the API
 * listener (the `refuse` fault) and listening again comes back on the same port.
 */
export class SimListeners {
  readonly #o: ListenerOptions
  #port: number
  #server: Server | undefined
  #dashboardPort: number
  #dashboard: Server | undefined
  readonly #sockets = new Set<Socket>()

  constructor (o: ListenerOptions) {
    this.#o = o
    this.#port = o.port
    this.#dashboardPort = o.dashboardPort
  }

  get port (): number { return this.#port }
  get url (): string { return this.#urlOf(this.#port) }
  get dashboardUrl (): string | undefined {
    return this.#o.dashboard && this.#dashboard !== undefined ? this.#urlOf(this.#dashboardPort) : undefined
  }

  #urlOf (port: number): string {
    const host = this.#o.host.includes(':') ? `[${this.#o.host}]` : this.#o.host
    return `${this.#o.tls !== undefined ? 'https' : 'http'}://${host}:${port}`
  }

  async listen (): Promise<number> {
    if (this.#server !== undefined) return this.#port
    const server = await this.#open(this.#port, 'api')
    this.#port = (server.address() as AddressInfo).port
    this.#server = server
    if (this.#o.dashboard && this.#dashboard === undefined) {
      this.#dashboard = await this.#open(this.#dashboardPort, 'dashboard')
      this.#dashboardPort = (this.#dashboard.address() as AddressInfo).port
    }
    return this.#port
  }

  async #open (port: number, listener: Listener): Promise<Server> {
    const handler = (req: IncomingMessage, res: ServerResponse): void => { this.#o.handler(req, res, listener) }
    const tls = this.#o.tls
    const server = tls !== undefined ? createTlsServer({ key: tls.key, cert: tls.cert }, handler) : createServer(handler)
    server.keepAliveTimeout = 30_000
    server.on('connection', (s: Socket) => { this.#sockets.add(s); s.on('close', () => this.#sockets.delete(s)) })
    server.listen(port, this.#o.host)
    await once(server, 'listening')
    return server
  }

  /** Closes the API listener (and, with `all`, 4.4's dashboard listener too). */
  async close (opts: { all?: boolean } = { all: true }): Promise<void> {
    const servers = [this.#server, ...(opts.all === true ? [this.#dashboard] : [])].filter((x): x is Server => x !== undefined)
    this.#server = undefined
    if (opts.all === true) this.#dashboard = undefined
    if (servers.length === 0) return
    // Stop listening first, then drop the connections (as a stopping EMQX does): a client that
    // retries after its connection is reset must find the port closed, not a last accept.
    const closed = servers.map(async (server) => await new Promise<void>((resolve) => server.close(() => resolve())))
    await new Promise((resolve) => setImmediate(resolve))
    for (const s of this.#sockets) s.destroy()
    await Promise.all(closed)
  }
}
