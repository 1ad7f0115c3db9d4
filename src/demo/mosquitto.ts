import { spawn, type ChildProcess } from 'node:child_process'
import { EventEmitter, once } from 'node:events'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'

export interface MosquittoEvents {
  connected: [clientId: string]
  disconnected: [clientId: string]
}

/**
 * One mosquitto broker on a loopback port, standing in for an EMQX node's MQTT listener (the demo and
 * the end-to-end tests). Which clients are connected is read from its log, so "where did this client
 * land" is answered by the broker itself, not by the load balancer under test.
 * mosquitto logs to stderr because its stdout is block-buffered when piped.
 */
export class Mosquitto extends EventEmitter<MosquittoEvents> {
  readonly port: number
  readonly clients = new Set<string>()
  readonly #child: ChildProcess
  readonly exited: Promise<number | null>
  #log = ''

  private constructor (child: ChildProcess, port: number) {
    super()
    this.#child = child
    this.port = port
    this.exited = once(child, 'exit').then(([code]) => code as number | null)
  }

  /** Writes a minimal mosquitto.conf into `dir` and starts the broker; resolves once it runs. */
  static async start (binary: string, dir: string, port: number, name = `mosquitto-${port}`): Promise<Mosquitto> {
    const conf = join(dir, `${name}.conf`)
    writeFileSync(conf, [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence false',
      'log_dest stderr',
      'log_type error', 'log_type warning', 'log_type notice', 'log_type information',
      'connection_messages true',
      '',
    ].join('\n'))
    const child = spawn(binary, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] })
    const m = new Mosquitto(child, port)
    let buf = ''
    const running = new Promise<void>((resolve, reject) => {
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
        buf += chunk
        let nl
        while ((nl = buf.indexOf('\n')) !== -1) {
          const line = buf.slice(0, nl)
          buf = buf.slice(nl + 1)
          if (m.#log.length < 100_000) m.#log += line + '\n'
          if (/ running$/.test(line)) resolve()
          m.#parse(line)
        }
      })
      m.exited.then((code) => reject(new Error(`mosquitto on port ${port} exited (${code}) before running:\n${m.#log}`)))
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
    try { await running } finally { clearTimeout(timer) }
    return m
  }

  #parse (line: string): void {
    const on = /New client connected from \S+ as (\S+) \(/.exec(line)
    if (on?.[1] !== undefined) { this.clients.add(on[1]); this.emit('connected', on[1]); return }
    const off = /Client (\S+) (?:disconnected|closed its connection|has exceeded timeout|.*disconnecting)/.exec(line)
    if (off?.[1] !== undefined && this.clients.delete(off[1])) this.emit('disconnected', off[1])
  }

  get log (): string { return this.#log }

  async stop (): Promise<void> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGTERM')
    await this.exited
  }
}
