/** Target names the report picks rows by. */
export const SIDECAR = 'sidecar'
export const BARE = 'bare node:http'
/**
 * the bare handler preloaded into a running sidecar process (bench/servers/in-process.ts): it runs on the
 * sidecar's main thread, beside fastify, undici, pino and prom-client, where the sidecar's own listener ran
 * before it got a thread of its own
 */
export const IN_SIDECAR_BARE = 'bare handler on a sidecar\'s main thread'
/** a second bare server, identical to the first: its ratio to the first is the method's own noise (an A/A test) */
export const BARE_AGAIN = 'bare node:http, second process (A/A)'
