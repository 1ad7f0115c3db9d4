import { readFileSync } from 'node:fs'
import { isIP } from 'node:net'
import { durationProblem, parseDuration } from '../duration.js'
import { Secret } from './secret.js'
import { closest } from './suggest.js'
import { envOf, type OptionSpec, type OptionValues } from './table.js'

export type OptionValue = string | number | boolean | URL | Secret
export type Env = Readonly<Record<string, string | undefined>>

export interface ParsedOptions<V = Readonly<Record<string, OptionValue | undefined>>> {
  /** by flag, typed from the table's kinds and defaults (OptionValues) */
  readonly values: V
  /** flags given on the command line or in the environment (not defaulted) */
  readonly explicit: ReadonlySet<string>
  /**
   * flags given a value that was refused (its problem is listed; the flag has no value): a check that
   * needs the flag says nothing more, so one mistake is reported once
   */
  readonly invalid: ReadonlySet<string>
  readonly problems: string[]
  readonly warnings: string[]
  readonly actions: { help: boolean, version: boolean, checkConfig: boolean }
}

const ACTIONS = new Set(['help', 'version', 'check-config'])

/**
 * Flags beat environment variables, which beat defaults. Every problem is collected so that the
 * operator fixes a config in one round trip (blackbox_exporter's --config.check habit).
 * A problem message names the setting and what was wrong with it, never a secret's value.
 */
export function parseOptions<const S extends readonly OptionSpec[]> (specs: S, argv: readonly string[], env: Env,
  readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): ParsedOptions<OptionValues<S>> {
  const problems: string[] = []
  const warnings: string[] = []
  const byFlag = new Map(specs.map((s) => [s.flag, s]))
  const raw = new Map<string, { text: string, source: string }>()
  const actions = { help: false, version: false, checkConfig: false }

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? ''
    if (arg === '-h') { actions.help = true; continue }
    if (!arg.startsWith('--')) { problems.push(`unexpected argument "${arg}"`); continue }
    const eq = arg.indexOf('=')
    const name = arg.slice(2, eq === -1 ? undefined : eq)
    if (ACTIONS.has(name)) {
      if (name === 'help') actions.help = true
      else if (name === 'version') actions.version = true
      else actions.checkConfig = true
      continue
    }
    const isFileFlag = name.endsWith('-file') && byFlag.get(name.slice(0, -5))?.fileVariant === true
    const spec = byFlag.get(isFileFlag ? name.slice(0, -5) : name)
    if (spec === undefined) {
      const files = specs.filter((s) => s.fileVariant === true).map((s) => `${s.flag}-file`)
      const guess = closest(name, [...byFlag.keys(), ...files, ...ACTIONS])
      problems.push(`unknown flag --${name}${guess === undefined ? '' : ` (did you mean --${guess}?)`}`)
      // `--typo value`: the value belongs to the unknown flag, not a second problem
      if (eq === -1 && argv[i + 1]?.startsWith('-') === false) i++
      continue
    }
    let text: string | undefined
    if (eq !== -1) text = arg.slice(eq + 1)
    else if (spec.kind === 'bool' && !isFileFlag) text = 'true'
    else if (i + 1 < argv.length) text = argv[++i]
    if (text === undefined) { problems.push(`--${name} needs a value`); continue }
    raw.set(isFileFlag ? `${spec.flag}-file` : spec.flag, { text, source: `--${name}` })
  }

  const known = new Set<string>()
  for (const spec of specs) {
    const name = envOf(spec)
    known.add(name)
    if (spec.fileVariant === true) known.add(`${name}_FILE`)
    if (!raw.has(spec.flag) && !(spec.fileVariant === true && raw.has(`${spec.flag}-file`))) {
      const fromEnv = env[name]
      const fileEnv = spec.fileVariant === true ? env[`${name}_FILE`] : undefined
      if (fromEnv !== undefined && fromEnv !== '') raw.set(spec.flag, { text: fromEnv, source: name })
      if (fileEnv !== undefined && fileEnv !== '') raw.set(`${spec.flag}-file`, { text: fileEnv, source: `${name}_FILE` })
    }
  }
  for (const name of Object.keys(env)) {
    // Kubernetes injects <SERVICE>_PORT etc.; a typo in our own prefix is worth a warning, not a refusal.
    if (name.startsWith('SIDECAR_') && !known.has(name) && !name.startsWith('SIDECAR_SERVICE_') && !name.startsWith('SIDECAR_PORT_')) {
      warnings.push(`unknown environment variable ${name} ignored`)
    }
  }

  const values: Record<string, OptionValue> = {}
  const explicit = new Set<string>()
  const invalid = new Set<string>()
  for (const spec of specs) {
    const given = raw.get(spec.flag)
    // only secrets have a -file variant; `--nodes-file` of nginx-sync is an option of its own
    const file = spec.fileVariant === true ? raw.get(`${spec.flag}-file`) : undefined
    if (given !== undefined && file !== undefined) {
      problems.push(`${given.source} and ${file.source} are both set for ${spec.flag}; use one`)
      invalid.add(spec.flag)
      continue
    }
    if (file !== undefined) {
      let content: string | undefined
      try { content = readFile(file.text).replace(/\r?\n$/, '') } catch (err) {
        problems.push(`${file.source}: cannot read ${file.text} (${errnoCode(err)})`)
      }
      if (content === '') problems.push(`${file.source}: ${file.text} is empty`)
      if (content !== undefined && content !== '') {
        values[spec.flag] = new Secret(content)
        explicit.add(spec.flag)
      } else invalid.add(spec.flag)
      continue
    }
    const source = given?.source ?? 'default'
    const text = given?.text ?? spec.default
    if (text === undefined) continue
    const result = convert(spec, text)
    if (typeof result === 'string') {
      problems.push(`${source === 'default' ? `default of --${spec.flag}` : source}: ${result}`)
      invalid.add(spec.flag)
    } else {
      values[spec.flag] = result.value
      if (given !== undefined) explicit.add(spec.flag)
    }
  }
  // The one cast of the option layer: convert() gave each flag a value of its kind, and a flag without
  // a default and without a value is absent, which OptionValues types as possibly undefined.
  return { values: Object.freeze(values) as OptionValues<S>, explicit, invalid, problems, warnings, actions }
}

function convert (spec: OptionSpec, text: string): { value: OptionValue } | string {
  const kind = spec.kind
  if (typeof kind === 'object') {
    return kind.enum.includes(text) ? { value: text } : `"${text}" is not one of ${kind.enum.join(', ')}`
  }
  switch (kind) {
    case 'string':
    case 'path':
      return text === '' ? 'must not be empty' : { value: text }
    case 'secret':
      return text === '' ? 'must not be empty' : { value: new Secret(text) }
    case 'address':
      return isIP(text) !== 0 || /^[a-zA-Z0-9.-]+$/.test(text) ? { value: text } : `"${text}" is not an IP address or host name`
    case 'bool':
      if (/^(true|1|yes|on)$/i.test(text)) return { value: true }
      if (/^(false|0|no|off)$/i.test(text)) return { value: false }
      return `"${text}" is not a boolean (true/false)`
    case 'port': {
      const n = Number(text)
      return /^\d+$/.test(text) && n <= 65535 ? { value: n } : `"${text}" is not a port number (0-65535)`
    }
    case 'int': {
      const n = Number(text)
      if (!/^-?\d+$/.test(text)) return `"${text}" is not an integer`
      return inRange(spec, n, '') ?? { value: n }
    }
    case 'number': {
      const n = Number(text)
      if (text.trim() === '' || !Number.isFinite(n)) return `"${text}" is not a number`
      return inRange(spec, n, '') ?? { value: n }
    }
    case 'duration': {
      const ms = parseDuration(text)
      if (ms === undefined) return durationProblem(text) ?? `"${text}" is not a duration`
      return inRange(spec, ms, 'ms') ?? { value: ms }
    }
    case 'url': {
      let url: URL
      // the example is the option's own default when it has one (`status --url` points at the sidecar, not EMQX)
      try { url = new URL(text) } catch { return `is not a URL (e.g. ${spec.default ?? 'http://127.0.0.1:18083'})` }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') return `protocol ${url.protocol} is not http: or https:`
      // Credentials in a URL end up in error messages and logs; they have their own settings.
      if (url.username !== '' || url.password !== '') {
        return 'must not contain credentials; use SIDECAR_EMQX_USERNAME and SIDECAR_EMQX_PASSWORD(_FILE)'
      }
      if (url.search !== '' || url.hash !== '') return 'must not have a query or fragment'
      return { value: url }
    }
  }
}

/** `unit` follows the value and the bound alike: `10ms is below the minimum 50ms`. */
function inRange (spec: OptionSpec, n: number, unit: string): string | undefined {
  if (spec.min !== undefined && n < spec.min) return `${n}${unit} is below the minimum ${spec.min}${unit}`
  if (spec.max !== undefined && n > spec.max) return `${n}${unit} is above the maximum ${spec.max}${unit}`
  return undefined
}

/** The errno code of a failed read, for a problem message (`ENOENT`), or `error`. */
export function errnoCode (err: unknown): string {
  const code = typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined
  return typeof code === 'string' ? code : 'error'
}
