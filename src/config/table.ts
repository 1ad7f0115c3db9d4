import type { Secret } from './secret.js'

/**
 * The machinery of the option tables: one row per setting, with its flag, its SIDECAR_ environment variable,
 * its default and its help. Variables are prefixed SIDECAR_ because Kubernetes service links inject bare
 * EMQX_* and *_PORT variables into every pod (a Service named `emqx` injects EMQX_PORT=tcp://...).
 */
export type OptionKind =
  | 'string' | 'url' | 'duration' | 'port' | 'int' | 'number' | 'bool' | 'secret' | 'path' | 'address'
  | { readonly enum: readonly string[] }

export interface OptionSpec {
  /** the flag without its dashes, e.g. `emqx-url`; the env var is SIDECAR_ + upper snake case of it */
  readonly flag: string
  readonly kind: OptionKind
  readonly help: string
  readonly default?: string
  /** secrets also accept SIDECAR_<NAME>_FILE (and --<flag>-file): the value is read from that file once */
  readonly fileVariant?: boolean
  /** minimum for int/duration kinds */
  readonly min?: number
  readonly max?: number
  /** environment variable, when SIDECAR_<FLAG> would clash with another command's (simulate's --port is not serve's) */
  readonly env?: string
}

/** What a kind parses to: the tables declare kinds, and the loaders read values of these types (no casts). */
export type KindValue<K> =
  K extends 'string' | 'path' | 'address' ? string
    : K extends 'url' ? URL
      : K extends 'duration' | 'port' | 'int' | 'number' ? number
        : K extends 'bool' ? boolean
          : K extends 'secret' ? Secret
            : K extends { readonly enum: ReadonlyArray<infer E> } ? E
              : never

/**
 * The parsed values of one command's table, by flag. An option with a default always has a value;
 * one without may be undefined. A flag name that is not in the table does not compile.
 */
export type OptionValues<S extends readonly OptionSpec[]> = {
  readonly [O in S[number] as O['flag']]: O extends { readonly default: string }
    ? KindValue<O['kind']>
    : KindValue<O['kind']> | undefined
}

/**
 * A command's option table: the rows keep their literal types (so OptionValues knows each flag's
 * kind and whether it has a default), and every row still reads as an OptionSpec (`row.default`).
 */
export function optionTable<const S extends readonly OptionSpec[]> (rows: S): OptionTable<S> {
  // every row is an OptionSpec already (the constraint); the mapped type only adds optional fields it lacks
  return rows as OptionTable<S>
}

export type OptionTable<S extends readonly OptionSpec[]> = {
  readonly [I in keyof S]: S[I] & Partial<Omit<OptionSpec, 'flag' | 'kind' | 'help'>>
}

export function envName (flag: string): string {
  return `SIDECAR_${flag.toUpperCase().replace(/-/g, '_')}`
}

/** The environment variable of an option: its own `env`, else SIDECAR_<FLAG>. */
export function envOf (spec: OptionSpec): string {
  return spec.env ?? envName(spec.flag)
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const

/** Options shared by every command that talks to the log. */
export const commonOptions = optionTable([
  { flag: 'log-level', kind: { enum: LOG_LEVELS }, default: 'info', help: 'log level: fatal, error, warn, info, debug, trace, silent' },
  {
    flag: 'log-format',
    kind: { enum: LOG_FORMATS },
    default: 'auto',
    help: 'json (one JSON object a line), pretty (a short readable line each), or auto: pretty on a terminal, json otherwise',
  },
])
