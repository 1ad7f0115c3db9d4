import { EventEmitter, once } from 'node:events'
import { connect, createServer, type Server, type Socket } from 'node:net'

/** Where a counted CONNECT goes: the node's EMQX (the double's `connect(n)`, its `client.connect` counter). */
export interface ConnectSink { connect: (n: number) => void }

export interface ConnectCounterEvents {
  /** an MQTT CONNECT passed through, at this time (Date.now()) */
  connect: [at: number]
}

/** The first byte of an MQTT CONNECT: packet type 1, flags 0 (MQTT 3.1.1 and 5.0, 2.2.1 / 2.1.2). */
const CONNECT_BYTE = 0x10

/**
 * A counting hop in front of one MQTT broker: a loopback TCP proxy to the broker that counts, for each client
 * connection, a first packet that is a CONNECT, as EMQX counts `client.connect` (every CONNECT that reaches
 * the node, refused ones too). mosquitto counts nothing the sidecar could read, so the load balancer's
 * servers point at this hop and each CONNECT is reported to the node's simulated EMQX. Connections that send
 * nothing (a load balancer's TCP check) or something else are forwarded and not counted. Bytes pass unchanged.
 */
export class ConnectCounter extends EventEmitter<ConnectCounterEvents> {
  readonly port: number
  /** when each CONNECT passed (Date.now()), oldest first */
  readonly arrivals: number[] = []
  readonly #server: Server
  readonly #sockets = new Set<Socket>()

  private constructor (server: Server, port: number) {
    super()
    this.#server = server
    this.port = port
  }

  /** Listens on a loopback port (`port`, or one the OS picks) and forwards to 127.0.0.1:`brokerPort`. */
  static async start (brokerPort: number, sink: ConnectSink, port = 0): Promise<ConnectCounter> {
    const server = createServer({ noDelay: true })
    const listening = once(server, 'listening')
    server.listen({ port, host: '127.0.0.1', exclusive: true })
    await listening
    const address = server.address()
    if (address === null || typeof address === 'string') throw new Error('connect counter: no TCP address')
    const hop = new ConnectCounter(server, address.port)
    server.on('connection', (client) => { hop.#forward(client, brokerPort, sink) })
    return hop
  }

  get connects (): number { return this.arrivals.length }
  /** the last CONNECT's time, if any */
  get lastArrivalAt (): number | undefined { return this.arrivals.at(-1) }

  #forward (client: Socket, brokerPort: number, sink: ConnectSink): void {
    const upstream = connect({ port: brokerPort, host: '127.0.0.1', noDelay: true })
    this.#sockets.add(client)
    this.#sockets.add(upstream)
    const close = (): void => { client.destroy(); upstream.destroy() }
    client.on('error', close).on('close', () => { this.#sockets.delete(client); upstream.destroy() })
    upstream.on('error', close).on('close', () => { this.#sockets.delete(upstream); client.destroy() })
    client.once('data', (chunk: Buffer) => {
      if (chunk[0] !== CONNECT_BYTE) return
      const at = Date.now()
      this.arrivals.push(at)
      sink.connect(1)
      this.emit('connect', at)
    })
    client.pipe(upstream)
    upstream.pipe(client)
  }

  /** Stops listening and closes every forwarded connection. */
  async stop (): Promise<void> {
    const closed = new Promise<void>((resolve) => { this.#server.close(() => { resolve() }) })
    for (const s of this.#sockets) s.destroy()
    await closed
  }
}
