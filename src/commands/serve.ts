import { helpText } from '../config/help.js'
import { serveOptions } from '../config/options.js'
import { describeConfig, loadServeConfig } from '../config/serve-config.js'
import { createLogger } from '../log.js'
import { StartError } from '../lifecycle/start-steps.js'
import { startSidecar, type Sidecar } from '../main.js'
import { VERSION } from '../version.js'
import { counterSelection } from '../emqx/counter-sources.js'
import { hasCredentials } from '../emqx/http.js'
import type { ServeConfig } from '../config/serve-types.js'

const SUMMARY = 'Polls the local EMQX node and answers load-balancer probes from memory: HTTP 200/503 on the availability paths,\n' +
  '/readyz, /livez, /status and /metrics.'

/** serve's --help, also the second half of the top-level help (cli.ts). */
export function serveHelp (): string {
  return helpText('emqx-lb-sidecar [serve] [options]', SUMMARY, serveOptions)
}

/**
 * --check-config: which sources of EMQX's CONNECT counter (arrival evidence) this configuration will try and which it
 * cannot (without credentials only the Prometheus endpoint; on 4.4 none), in the words /status and the log use.
 */
export function counterPlanLine (config: ServeConfig): string {
  const { apiVersion } = config.emqx
  const plan = counterSelection({ version: apiVersion === 'auto' ? undefined : apiVersion, hasCredentials: hasCredentials(config.emqx) })
  return `CONNECT counter (arrival evidence): ${plan.summary}`
}

/** Returns an exit code, or -1 while the server runs (the process then ends on a signal). */
export async function serveMain (argv: string[]): Promise<number> {
  const { config, parsed } = loadServeConfig(argv, process.env)
  if (parsed.actions.help) { process.stdout.write(serveHelp()); return 0 }
  if (parsed.actions.version) { process.stdout.write(`${VERSION}\n`); return 0 }
  if (parsed.actions.checkConfig) {
    for (const w of parsed.warnings) process.stderr.write(`warning: ${w}\n`)
    process.stdout.write(`configuration OK\n${JSON.stringify(describeConfig(config), null, 2)}\n`)
    process.stdout.write(`${counterPlanLine(config)}\n`)
    return 0
  }
  const log = await createLogger(config.logLevel, config.logFormat)
  for (const w of parsed.warnings) log.warn(w)
  // the signals are handled before anything listens: a SIGTERM that comes as the listeners open (a pod stopped
  // while it starts) is kept and carried out once the sidecar runs, never Node's default of dying on the spot
  let sidecar: Sidecar | undefined
  let pending: NodeJS.Signals | undefined
  let signals = 0
  const shutdown = (s: Sidecar, signal: NodeJS.Signals): void => {
    s.shutdown(signal).then(() => process.exit(0), (err: unknown) => { log.error({ err }, 'shutdown failed'); process.exit(1) })
  }
  const onSignal = (signal: NodeJS.Signals): void => {
    if (++signals > 1) { log.warn({ signal }, 'second signal: exiting now'); process.exit(1) }
    if (sidecar === undefined) pending = signal
    else shutdown(sidecar, signal)
  }
  process.on('SIGTERM', onSignal)
  process.on('SIGINT', onSignal)
  try {
    sidecar = await startSidecar(config, log)
  } catch (err) {
    process.off('SIGTERM', onSignal)
    process.off('SIGINT', onSignal)
    // everything opened is closed again, so returning lets the process end at once
    if (!(err instanceof StartError)) throw err
    process.stderr.write(`emqx-lb-sidecar: ${err.message}\n`)
    return 1
  }
  if (pending !== undefined) shutdown(sidecar, pending)
  return -1
}
