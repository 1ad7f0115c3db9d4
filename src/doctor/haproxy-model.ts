import type { CfgLine, Section } from './haproxy-parse.js'

/** One setting with the line that set it: a finding points at the line to change. */
export interface Setting<T> { readonly value: T, readonly line: number }

export interface Server {
  readonly name: string
  readonly line: number
  readonly port?: number
  /** the server line's options over the default-server lines' (defaults first, then the backend's) */
  readonly options: ReadonlyMap<string, Setting<string | true>>
}

export interface Backend {
  readonly section: Section
  readonly servers: readonly Server[]
  /** the last `option httpchk` / `option tcp-check` / ... of the backend, else of its defaults; undefined: L4 connect check */
  readonly checkType?: Setting<string> & { readonly words: readonly string[] }
  /** a proxy directive of the backend, else of its defaults (the last one wins), e.g. `balance` or `timeout server` */
  readonly directive: (match: (words: readonly string[]) => boolean) => CfgLine | undefined
}

/** Ports that carry MQTT (TCP, TLS, WebSocket, secure WebSocket): a backend with a server there is EMQX's. */
export const MQTT_PORTS: ReadonlySet<number> = new Set([1883, 8883, 8083, 8084])

const ARG_OPTIONS = new Set(('addr agent-addr agent-inter agent-port agent-send alpn ca-file check-alpn check-proto check-sni ciphers ' +
  'ciphersuites cookie crl-file crt curves downinter error-limit fall fastinter id init-addr inter log-proto max-reuse maxconn ' +
  'maxqueue minconn namespace npn observe on-error on-marked-down on-marked-up pool-low-conn pool-max-conn pool-purge-delay port ' +
  'proto redir resolve-net resolve-opts resolve-prefer resolvers rise send-proxy-v2-options set-proxy-v2-tlv-fmt slowstart sni ' +
  'source socks4 ssl-max-ver ssl-min-ver tcp-ut track verify verifyhost weight ws guid hash-key log-bufsize shard').split(' '))

/** `server`/`default-server` options into `into`: `no-X` removes X; options with an argument take the next word. */
function readOptions (words: readonly string[], line: number, into: Map<string, Setting<string | true>>): void {
  for (let i = 0; i < words.length; i++) {
    const w = words[i] ?? ''
    if (w.startsWith('no-') && !ARG_OPTIONS.has(w)) { into.delete(w.slice(3)); continue }
    if (ARG_OPTIONS.has(w)) { into.set(w, { value: words[i + 1] ?? '', line }); i++ } else into.set(w, { value: true, line })
  }
}

function portOf (address: string | undefined): number | undefined {
  const m = /:(\d+)$/.exec(address ?? '')
  return m === null ? undefined : Number(m[1])
}

/** The defaults section a proxy inherits from: its `from NAME`, else the last defaults section above it. */
function defaultsOf (sections: readonly Section[], s: Section): Section | undefined {
  const above = sections.slice(0, sections.indexOf(s)).filter((d) => d.kind === 'defaults')
  return s.from !== undefined ? above.filter((d) => d.name === s.from).at(-1) : above.at(-1)
}

/** The proxy's inheritance chain, the proxy first, then its defaults and theirs. */
export function chainOf (sections: readonly Section[], s: Section): Section[] {
  const chain = [s]
  for (let d = defaultsOf(sections, s); d !== undefined && !chain.includes(d); d = defaultsOf(sections, d)) chain.push(d)
  return chain
}

/** The last line of the chain's first section that has one for which `match` holds (a proxy's own setting beats its defaults'). */
export function lookup (chain: readonly Section[], match: (words: readonly string[]) => boolean): CfgLine | undefined {
  for (const s of chain) {
    const found = s.lines.filter((l) => match(l.words)).at(-1)
    if (found !== undefined) return found
  }
  return undefined
}

const CHECK_OPTIONS = new Set(['httpchk', 'tcp-check', 'ssl-hello-chk', 'smtpchk', 'mysql-check', 'pgsql-check', 'redis-check',
  'ldap-check', 'spop-check'])

/** Every backend and listen section with its servers, their options and inherited settings. */
export function backendsOf (sections: readonly Section[]): Backend[] {
  return sections.filter((s) => s.kind === 'backend' || s.kind === 'listen').map((section) => {
    const chain = chainOf(sections, section)
    const defaults = new Map<string, Setting<string | true>>()
    for (const s of [...chain].reverse()) {
      for (const l of s.lines) if (l.words[0] === 'default-server') readOptions(l.words.slice(1), l.line, defaults)
    }
    const servers = section.lines.filter((l) => l.words[0] === 'server').map((l): Server => {
      const options = new Map(defaults)
      readOptions(l.words.slice(3), l.line, options)
      const port = portOf(l.words[2])
      return { name: l.words[1] ?? '', line: l.line, options, ...(port !== undefined ? { port } : {}) }
    })
    const checkLine = lookup(chain, (w) => (w[0] === 'option' || (w[0] === 'no' && w[1] === 'option')) &&
      CHECK_OPTIONS.has(w[0] === 'no' ? w[2] ?? '' : w[1] ?? ''))
    const checkType = checkLine === undefined || checkLine.words[0] === 'no'
      ? undefined
      : { value: checkLine.words[1] ?? '', line: checkLine.line, words: checkLine.words }
    return { section, servers, ...(checkType !== undefined ? { checkType } : {}), directive: (m) => lookup(chain, m) }
  })
}

/** A server option's value, when it has one. */
export function opt (s: Server, name: string): Setting<string> | undefined {
  const o = s.options.get(name)
  return o === undefined || o.value === true ? undefined : { value: o.value, line: o.line }
}

export function flag (s: Server, name: string): Setting<true> | undefined {
  const o = s.options.get(name)
  return o !== undefined ? { value: true, line: o.line } : undefined
}
