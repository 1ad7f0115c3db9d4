import type { Test } from 'tap'
import type { Mosquitto } from './mosquitto.js'
import { landedOn } from './mosquitto.js'
import { mqttClient, type TrackedClient } from './mqtt-stack.js'
import { waitFor } from './wait.js'

/**
 * Stickiness as EMQX's HAProxy guide configures it (docs.emqx.com, "Load Balance EMQX Cluster with HAProxy"):
 * the frontend waits for the client's first packet and rejects anything that is not MQTT; the backend keeps
 * each client ID on the server it was first sent to. Added to a shipped config's text, as a user following
 * the guide would add it.
 */
export const GUIDE_FRONTEND = [
  '    tcp-request inspect-delay 10s',
  '    tcp-request content reject unless { req.payload(0,0),mqtt_is_valid }',
  '    tcp-request content accept if { req.len gt 0 }',
]
export const GUIDE_BACKEND = [
  '    stick-table type string len 64 size 100k expire 30m',
  '    stick on req.payload(0,0),mqtt_field_value(connect,client_identifier)',
]

/** A shipped config with the guide's stickiness added (after `default_backend` and after `balance`). */
export function withGuideStickiness (text: string): string {
  return replaceOnce(replaceOnce(text, /^(\s*default_backend emqx_mqtt)$/m, (l) => [l, ...GUIDE_FRONTEND].join('\n')),
    /^(\s*balance \S+)$/m, (l) => [l, ...GUIDE_BACKEND].join('\n'))
}

/** `balance source` with consistent hashing instead of the shipped `balance leastconn`. */
export function withSourceHash (text: string): string {
  return replaceOnce(text, /^(\s*)balance leastconn$/m, (_l, indent) => `${indent}balance source\n${indent}hash-type consistent`)
}

/** `on-marked-down shutdown-sessions` on every server (what the shipped configs warn against). */
export function withShutdownSessions (text: string): string {
  return replaceOnce(text, /^(\s*default-server .*)$/m, (l) => `${l} on-marked-down shutdown-sessions`)
}

/**
 * Sends HAProxy's log to its stderr with the syslog priority in front (`<1>` alert, `<5>` notice), so a test
 * can tell a state change logged as a failure from one logged as planned.
 */
export function withStderrLog (text: string): string {
  return replaceOnce(replaceOnce(text, /^global$/m, (l) => `${l}\n    log stderr format short local0 notice`),
    /^defaults$/m, (l) => `${l}\n    log global`)
}

function replaceOnce (text: string, re: RegExp, by: (line: string, ...groups: string[]) => string): string {
  if (!re.test(text)) throw new Error(`config has no line matching ${re}`)
  return text.replace(re, (m, ...g: unknown[]) => by(m, ...g.filter((x): x is string => typeof x === 'string')))
}

/** Client IDs that connected once (so HAProxy remembers them) and went away again. */
export interface KnownClients {
  /** client ID -> index of the broker it first landed on */
  readonly firstOn: ReadonlyMap<string, number>
  /** the IDs that first landed on broker `node` */
  on: (node: number) => string[]
}

/** Connects each ID once through `url`, notes where it landed, and disconnects it (its stick entry stays). */
export async function rememberClients (t: Test, url: string, brokers: readonly Mosquitto[], ids: readonly string[]): Promise<KnownClients> {
  const firstOn = new Map<string, number>()
  for (const id of ids) firstOn.set(id, await connectOnce(t, url, brokers, id))
  return { firstOn, on: (node) => [...firstOn].filter(([, n]) => n === node).map(([id]) => id) }
}

/** Connects `id` through `url`, returns the broker it landed on, disconnects and waits until the broker saw it go. */
export async function connectOnce (t: Test, url: string, brokers: readonly Mosquitto[], id: string): Promise<number> {
  const c = await mqttClient(t, url, id)
  const node = await landedOn(brokers, id)
  await disconnect(c, brokers)
  return node
}

/** Ends a client and waits until no broker lists it, so the next landedOn() for its ID sees a new connection. */
export async function disconnect (c: TrackedClient, brokers: readonly Mosquitto[]): Promise<void> {
  await c.client.endAsync()
  await waitFor(() => brokers.some((b) => b.clients.has(c.id)), (listed) => !listed, { timeoutMs: 5000, what: `the brokers to see ${c.id} go` })
}

/** Where each ID lands when it connects again (and leaves again). */
export async function reconnectAll (t: Test, url: string, brokers: readonly Mosquitto[], ids: readonly string[]): Promise<number[]> {
  const out: number[] = []
  for (const id of ids) out.push(await connectOnce(t, url, brokers, id))
  return out
}
