import { bareServer } from './bare-handler.js'

/**
 * Preloaded into a sidecar process (`node --import`): the bare handler on BARE_PORT, inside the
 * sidecar's runtime (its loaded libraries, heap, poll loop and timers) but answering without the
 * sidecar's probe path. Against the bare server in its own process it measures what the sidecar's
 * process costs any handler; the sidecar against it measures the probe path alone (bench/README.md).
 */
const server = bareServer(process.env.BARE_BODY ?? '{"state":"up"}')
server.listen(Number(process.env.BARE_PORT), '127.0.0.1')
// never keeps the sidecar alive on its own: the sidecar's own shutdown ends the process
server.unref()
