import { inspect } from 'node:util'

const REDACTED = '[REDACTED]'

/**
 * A secret value (EMQX API secret, admin token). It prints as [REDACTED] through JSON, util.inspect,
 * template strings and pino, so a config object can be logged or dumped without leaking it.
 * Only `reveal()` gives the value, and only the code that must send it calls that.
 */
export class Secret {
  readonly #value: string
  constructor (value: string) { this.#value = value }
  reveal (): string { return this.#value }
  toJSON (): string { return REDACTED }
  toString (): string { return REDACTED }
  [inspect.custom] (): string { return REDACTED }
}
