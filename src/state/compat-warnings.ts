import type { Logger } from 'pino'
import type { EvacuationSettings } from '../config/serve-types.js'
import type { Snapshot } from './model.js'
import type { Store } from './store.js'
import { LogCodes } from '../errors.js'

/**
 * A setting the detected EMQX accepts but does not honour, as a warning (or undefined). Pure.
 * EMQX 5.x's HTTP API takes `redirect_to` but never maps it to the MQTT 5 Server-Reference; only its CLI
 * (`emqx ctl rebalance start --evacuation --redirect-to`) does (apps/emqx_node_rebalance/src/emqx_node_rebalance_cli.erl
 * against emqx_node_rebalance_api.erl). 4.4 honours it. docs/emqx-compatibility.md.
 */
export function ignoredSettingWarning (s: Snapshot, settings: EvacuationSettings): string | undefined {
  if (s.api?.version !== 'v5' || s.api.mode !== 'rebalance') return undefined
  if (settings.redirectTo === undefined || settings.redirectTo === '') return undefined
  return '--evacuation-redirect-to is set, but EMQX 5.x ignores redirect_to in its HTTP API ' +
    '(only `emqx ctl rebalance start --evacuation --redirect-to` sets the MQTT 5 Server-Reference): ' +
    'evicted clients get no server reference from an evacuation the sidecar starts'
}

/** Logs ignoredSettingWarning once, as soon as the API is detected. */
export function warnIgnoredSettings (store: Store, log: Logger, settings: EvacuationSettings): void {
  const check = (s: Snapshot): void => {
    const warning = ignoredSettingWarning(s, settings)
    if (warning === undefined) return
    store.off('update', check)
    log.warn({ code: LogCodes.EMQX_REDIRECT_TO_IGNORED, redirectTo: settings.redirectTo }, warning)
  }
  store.on('update', check)
}
