import { isIP } from 'node:net'

/** One EMQX node as nginx sees it (its MQTT listener) and as nginx-sync asks about it (its sidecar). */
export interface SyncNode {
  /** `host:port` or `[v6]:port`, written into the upstream as is */
  readonly address: string
  /** base URL of the node's sidecar */
  readonly sidecarUrl: URL
  /** extra nginx `server` parameters, validated: weight, max_fails, fail_timeout, max_conns */
  readonly params: readonly string[]
}

/**
 * Parameters passed through to nginx's `server` line. A whitelist, because the text goes into a file
 * nginx loads: nothing may smuggle in a `;` or a `down` that the renderer does not control.
 */
const PARAMS: Record<string, RegExp> = {
  weight: /^[1-9]\d{0,5}$/,
  max_fails: /^\d{1,6}$/,
  fail_timeout: /^\d{1,6}(ms|s|m|h)?$/,
  max_conns: /^\d{1,9}$/,
}

const HOST_NAME = /^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?$/

/** `host:port` check: IPv4, [IPv6] or a DNS name, with a port 1-65535. Returns a problem or undefined. */
export function addressProblem (address: string): string | undefined {
  const m = /^(\[[^\]]+\]|[^:[\]]+):(\d{1,5})$/.exec(address)
  if (m === null) return `"${address}" is not host:port (IPv6 as [::1]:1883)`
  const host = m[1] as string
  const port = Number(m[2])
  if (port < 1 || port > 65535) return `"${address}": port ${port} is not 1-65535`
  if (host.startsWith('[')) return isIP(host.slice(1, -1)) === 6 ? undefined : `"${address}": ${host} is not an IPv6 address`
  return isIP(host) === 4 || HOST_NAME.test(host) ? undefined : `"${address}": ${host} is not an IPv4 address or host name`
}

function urlProblem (text: string): { url: URL } | string {
  let url: URL
  try { url = new URL(text) } catch { return `"${text}" is not a URL (e.g. http://10.0.0.1:9183)` }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `"${text}": protocol ${url.protocol} is not http: or https:`
  if (url.username !== '' || url.password !== '') return `"${url.host}": the sidecar URL must not contain credentials`
  if (url.search !== '' || url.hash !== '') return `"${text}" must not have a query or fragment`
  return { url }
}

/**
 * Parses the node list: one node per entry, `<mqtt host:port> <sidecar URL> [param=value ...]`;
 * blank entries and `#` comments are ignored. Pure: returns the nodes and every problem found, each
 * prefixed with where it was (`nodes.txt line 3`), so one run reports all of them.
 */
export function parseNodeList (entries: readonly string[], where: (i: number) => string): { nodes: SyncNode[], problems: string[] } {
  const nodes: SyncNode[] = []
  const problems: string[] = []
  const seen = new Set<string>()
  entries.forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim()
    if (line === '') return
    const [address = '', urlText, ...rest] = line.split(/\s+/)
    const at = where(i)
    if (urlText === undefined) { problems.push(`${at}: expected "<mqtt host:port> <sidecar URL> [weight=N ...]", got "${line}"`); return }
    const bad = addressProblem(address)
    if (bad !== undefined) problems.push(`${at}: ${bad}`)
    const url = urlProblem(urlText)
    if (typeof url === 'string') problems.push(`${at}: ${url}`)
    const params: string[] = []
    for (const p of rest) {
      const [key = '', value, extra] = p.split('=')
      const pattern = PARAMS[key]
      if (pattern === undefined || value === undefined || extra !== undefined) {
        problems.push(`${at}: unknown server parameter "${p}" (allowed: ${Object.keys(PARAMS).map((k) => `${k}=`).join(', ')})`)
      } else if (!pattern.test(value)) {
        problems.push(`${at}: ${key}=${value} is not a valid value`)
      } else params.push(`${key}=${value}`)
    }
    if (seen.has(address)) problems.push(`${at}: ${address} is listed twice`)
    seen.add(address)
    if (bad === undefined && typeof url !== 'string') {
      nodes.push(Object.freeze({ address, sidecarUrl: url.url, params: Object.freeze(params) }))
    }
  })
  return { nodes, problems }
}

/** The node list file: one node per line. */
export function parseNodesFile (text: string, fileName: string): { nodes: SyncNode[], problems: string[] } {
  return parseNodeList(text.split(/\r?\n/), (i) => `${fileName} line ${i + 1}`)
}

/** The --nodes flag: the same entries, separated by commas. */
export function parseNodesFlag (text: string, source: string): { nodes: SyncNode[], problems: string[] } {
  return parseNodeList(text.split(','), (i) => `${source} entry ${i + 1}`)
}

/** The URL nginx-sync asks: the sidecar URL with the availability path appended to its own path. */
export function availabilityUrl (node: SyncNode, path: string): string {
  const base = node.sidecarUrl.href.replace(/\/+$/, '')
  return `${base}${path.startsWith('/') ? path : `/${path}`}`
}
