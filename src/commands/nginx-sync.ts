import { helpText } from '../config/help.js'
import { describeNginxSyncConfig } from '../nginx/config.js'
import { loadNginxSyncConfig } from './nginx-sync-config.js'
import { nginxSyncOptions } from './nginx-sync-options.js'
import { createLogger } from '../log.js'
import { startNginxSync, syncOnce } from '../nginx/main.js'
import { VERSION } from '../version.js'

const SUMMARY = `Runs beside open-source nginx (one per nginx, not per node): polls every node's sidecar and rewrites an
included upstream file in which draining or unreachable nodes are marked down, then runs the check command
(nginx -t) and the reload command, only when the file changes and with debounce. If every node is
unavailable, all are kept in and a warning is logged and counted. Serves /metrics, /livez and /status.
With --njs-state FILE instead of --output (nginx with njs, recommended): writes every node's availability
to FILE every poll for nginx/njs/emqx-lb.js and never reloads nginx. See nginx/README.md.`

/** Returns an exit code, or -1 while the loop runs (the process then ends on a signal). */
export async function nginxSyncMain (argv: string[]): Promise<number> {
  const { config, parsed } = loadNginxSyncConfig(argv, process.env)
  if (parsed.actions.help) { process.stdout.write(helpText('emqx-lb-sidecar nginx-sync [options]', SUMMARY, nginxSyncOptions)); return 0 }
  if (parsed.actions.version) { process.stdout.write(`${VERSION}\n`); return 0 }
  if (parsed.actions.checkConfig) {
    for (const w of parsed.warnings) process.stderr.write(`warning: ${w}\n`)
    process.stdout.write(`configuration OK\n${JSON.stringify(describeNginxSyncConfig(config), null, 2)}\n`)
    return 0
  }
  const log = await createLogger(config.logLevel, config.logFormat)
  for (const w of parsed.warnings) log.warn(w)
  if (config.once) return await syncOnce(config, log) ? 0 : 1
  const running = await startNginxSync(config, log)
  let signals = 0
  const onSignal = (signal: NodeJS.Signals): void => {
    if (++signals > 1) { log.warn({ signal }, 'second signal: exiting now'); process.exit(1) }
    running.shutdown(signal).then(() => process.exit(0), (err: unknown) => { log.error({ err }, 'shutdown failed'); process.exit(1) })
  }
  process.on('SIGTERM', onSignal)
  process.on('SIGINT', onSignal)
  return -1
}
