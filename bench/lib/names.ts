/** Target names the report picks rows by. */
export const SIDECAR = 'sidecar'
export const BARE = 'bare node:http'
/** the bare handler preloaded into a running sidecar process (bench/servers/in-process.ts) */
export const IN_SIDECAR_BARE = 'bare handler in a sidecar process'
