import { access } from 'node:fs/promises'
import type { Logger } from 'pino'
import type { Store } from './store.js'
import { LogCodes, LogEvents } from '../errors.js'
import { Loop } from '../loop.js'

/**
 * The file-based drain switch (--drain-file), for hosts where nobody can reach the HTTP admin
 * endpoints: while the file exists the node drains, whatever EMQX says. Like Percona clustercheck's
 * disable file. Polled (fs.watch misses Kubernetes ConfigMap symlink swaps and some network file
 * systems); its content is ignored. Unlike POST /admin/drain it survives restarts.
 */
export class DrainFileWatcher {
  readonly #path: string
  readonly #store: Store
  readonly #log: Logger
  readonly #intervalMs: number
  readonly #loop: Loop

  constructor (o: { path: string, store: Store, log: Logger, intervalMs: number }) {
    this.#path = o.path
    this.#store = o.store
    this.#log = o.log
    this.#intervalMs = o.intervalMs
    this.#loop = new Loop({
      intervalMs: o.intervalMs,
      step: async () => { await this.check() },
      // a bug (a throwing store listener) is logged and the watch goes on
      onError: (err) => {
        this.#log.error({ err, code: LogCodes.INTERNAL_ERROR, path: this.#path }, 'drain file check failed unexpectedly')
      },
    })
  }

  /** Checks once (so the first answer is already right), then every interval. */
  async start (): Promise<void> {
    await this.check()
    this.#loop.start(this.#intervalMs)
  }

  /** Stops scheduling checks; one in flight finishes on its own (Loop.stop never rejects). */
  stop (): void { this.#loop.stop() }

  async check (): Promise<boolean> {
    const present = await access(this.#path).then(() => true, () => false)
    const was = this.#store.current.overrides.drainFile !== undefined
    if (present !== was) {
      const now = Date.now()
      this.#store.setOverride('drainFile', present ? { since: now, by: 'file' } : undefined, now)
      this.#log.info({ event: present ? LogEvents.DRAIN_FILE_ON : LogEvents.DRAIN_FILE_OFF, path: this.#path },
        present ? `drain file ${this.#path} exists: draining` : `drain file ${this.#path} removed: drain switch off`)
    }
    return present
  }
}
