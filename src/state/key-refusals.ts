import type { Logger } from 'pino'
import type { EmqxClient } from '../emqx/client.js'
import { refusalText } from '../emqx/key-refusals.js'
import type { Store } from './store.js'
import { LogCodes } from '../errors.js'

/**
 * Carries the client's standing key refusals (src/emqx/key-refusals.ts) into the snapshot, which /status
 * (`emqx.config_error`), the `status` command and the live page read, and logs each change once: an error
 * when a read is refused (or refused with another status), an info line when it is answered again.
 */
export function followKeyRefusals (client: EmqxClient, store: Store, log: Logger): void {
  client.keyRefusals.onChange((now, read, before) => {
    store.setDetails({ keyRefusals: now.length === 0 ? undefined : now })
    const r = now.find((x) => x.read === read)
    if (r !== undefined) {
      log.error({ code: LogCodes.EMQX_KEY_REFUSED, read, path: r.path, httpStatus: r.status }, `configuration error: ${refusalText(r)}`)
    } else if (before !== undefined) {
      log.info({ code: LogCodes.EMQX_KEY_ACCEPTED, read, path: before.path },
        `EMQX accepts the API key again on GET ${before.path} (${read}): the configuration error is gone`)
    }
  })
}
