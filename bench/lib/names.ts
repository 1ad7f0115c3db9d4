/** Target names the report picks rows by. */
export const SIDECAR = 'sidecar'
export const BARE = 'bare node:http'
/**
 * the bare handler preloaded into a running sidecar process (bench/servers/in-process.ts), on a listener of its
 * own beside fastify, undici, pino and prom-client: against the bare server it measures what the sidecar's process
 * costs any handler, and the sidecar against it what its probe path costs
 */
export const IN_SIDECAR_BARE = 'bare handler inside a sidecar process'
/**
 * the libraries' floor (bench/servers/floor.ts: fastify, undici, pino and prom-client set up as the sidecar sets
 * them up, nothing else) with the bare handler preloaded on a listener of its own: what any handler costs in a
 * process built on the sidecar's four libraries; the probe-cost target is judged against it
 */
export const FLOOR_HANDLER = 'bare handler inside the libraries\' floor'
/** a second bare server, identical to the first: its ratio to the first is the method's own noise (an A/A test) */
export const BARE_AGAIN = 'bare node:http, second process (A/A)'
