import type { Logger } from 'pino'
import type { EmqxClient } from '../emqx/client.js'
import { rejectsWaitHealthCheck, rejectsZeroWaitTakeover, type EvacuationCall } from '../emqx/evacuation.js'
import type { EvacuationSettings } from '../config/serve-types.js'
import { LogEvents } from '../errors.js'

export interface StartAsk {
  readonly client: EmqxClient
  readonly log: Logger
  readonly node: string
  readonly settings: EvacuationSettings
  /** the acknowledged wait already served wait_health_check here */
  readonly held: boolean
  /** holds 503 for wait_health_check before EMQX is asked again; false: aborted or past the deadline */
  readonly hold: (version: string) => Promise<boolean>
}

/** EMQX's answer to the start, and the wait_health_check it holds itself (0 where the field was refused). */
export interface Started { readonly call: EvacuationCall, readonly waitS: number }

/**
 * Asks EMQX to start evacuating, with the body the line takes (docs/emqx-compatibility.md, "Evacuation").
 * `wait_health_check` is offered everywhere; where it is refused (e5.0.4, 4.4 before the wait phase) the
 * sidecar holds 503 for the wait itself unless already held, then asks without it. A 4.4 that refuses a
 * `wait_health_check` 0 (4.4.24+: a positive integer) is first asked again with 1, and only where that is
 * refused too is the field left out. A `wait_takeover` 0
 * that e5.1.0 refuses (pos_integer) is asked again as 1. undefined: aborted during the hold.
 */
export async function askToStart (a: StartAsk): Promise<Started | undefined> {
  const { client, log, node, settings, held } = a
  let call = await client.evacuation('start', node, settings)
  let waitS = settings.waitHealthCheckS
  let tried = ''
  if (client.target?.version === 'v4' && settings.waitHealthCheckS < 1 && rejectsWaitHealthCheck(call) && !unknownField(call)) {
    // 4.4.24+ takes wait_health_check as a positive integer (its refusal's text is not public: any refusal
    // naming the field counts but 4.4's own `Unknown evacuation param`, where 1 is refused the same way):
    // 1 s is the smallest wait it holds itself, better than leaving it out
    log.info({ event: LogEvents.EVACUATION_POSITIVE_WAIT_HEALTH_CHECK, node },
      'EMQX refused wait_health_check 0 (EMQX 4.4): asking with 1')
    const one = await client.evacuation('start', node, { ...settings, waitHealthCheckS: 1 })
    if (!rejectsWaitHealthCheck(one)) return { call: one, waitS: 1 }
    call = one
    tried = ' 0 and 1'
  }
  if (rejectsWaitHealthCheck(call)) {
    const version = client.target?.version === 'v4' ? 'EMQX 4.4' : 'EMQX 5.0.4'
    const here = held ? 'already held here' : 'holding 503 for it here'
    log.info({ event: LogEvents.EVACUATION_NO_WAIT_HEALTH_CHECK, node },
      `EMQX refused wait_health_check${tried} (${version}): ${here}, asking without it`)
    if (!held && !await a.hold(version)) return undefined
    call = await client.evacuation('start', node, settings, { withoutWaitHealthCheck: true })
    waitS = 0
  } else if (rejectsZeroWaitTakeover(call)) {
    log.info({ event: LogEvents.EVACUATION_POSITIVE_WAIT_TAKEOVER, node }, 'EMQX refused wait_takeover 0 (EMQX 5.1.0): asking with 1')
    call = await client.evacuation('start', node, settings, { positiveWaitTakeover: true })
  }
  return { call, waitS }
}

/** 4.4 before its wait phase: `Unknown evacuation param: {<<"wait_health_check">>,0}` (no value is taken). */
function unknownField (call: EvacuationCall): boolean {
  return !call.ok && /unknown evacuation param/i.test(call.message)
}
