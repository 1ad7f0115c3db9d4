import { helpText } from '../config/help.js'
import { simulateOptions } from './simulate-options.js'
import { loadSimulateConfig } from './simulate-config.js'
import { createLogger } from '../log.js'
import { applyAction, controlInterceptor, simState, CONTROL_PREFIX } from '../emqx-double/control.js'
import { EmqxDouble } from '../emqx-double/double.js'
import { KEY_HELP, KEYS, listenToKeys } from './keys.js'
import { VERSION } from '../version.js'
import { LogEvents } from '../errors.js'

const SUMMARY = `Runs a simulated EMQX node's HTTP API (availability_check, status, load_rebalance) so a sidecar and a load
balancer can be rehearsed without EMQX Enterprise. Control it over HTTP on the same port:
  GET  ${CONTROL_PREFIX}state                       what the node is doing
  POST ${CONTROL_PREFIX}evacuate[?wait_health_check=10]   start an evacuation (availability_check -> 503)
  POST ${CONTROL_PREFIX}donor | ${CONTROL_PREFIX}recipient | ${CONTROL_PREFIX}purge   rebalance roles / purge
  POST ${CONTROL_PREFIX}restore                     end any process, clear faults, EMQX running
  POST ${CONTROL_PREFIX}stop-emqx | ${CONTROL_PREFIX}start-emqx   node status 503 / 200
  POST ${CONTROL_PREFIX}cut-off | ${CONTROL_PREFIX}lose-peer | ${CONTROL_PREFIX}rejoin   its cluster view: alone, a peer fewer, whole
  POST ${CONTROL_PREFIX}fault/<name>[?for=5s][&path=availability|status|connects|cluster]   refuse, hang, reset, slow, 5xx, ...
                                                   (path: only availability_check, the node status, the CONNECT counter or the cluster view)
or with keys on stdin (${KEY_HELP}).`

/** `emqx-lb-sidecar simulate`: returns an exit code, or -1 while the simulator runs. */
export async function simulateMain (argv: string[]): Promise<number> {
  const { config, parsed } = loadSimulateConfig(argv, process.env)
  if (parsed.actions.help) { process.stdout.write(helpText('emqx-lb-sidecar simulate [options]', SUMMARY, simulateOptions)); return 0 }
  if (parsed.actions.version) { process.stdout.write(`${VERSION}\n`); return 0 }
  if (parsed.actions.checkConfig) { process.stdout.write(`configuration OK\n${JSON.stringify(config, null, 2)}\n`); return 0 }
  const log = await createLogger(config.logLevel, config.logFormat)
  for (const w of parsed.warnings) log.warn(w)
  const sim = new EmqxDouble({
    profile: config.profile,
    host: config.host,
    port: config.port,
    dashboardPort: config.dashboardPort,
    nodeName: config.nodeName,
    username: config.username,
    password: config.password.reveal(),
    connections: config.connections,
    clusterPeers: config.clusterPeers,
    role: config.role,
  })
  const changed = (what: string): void => {
    log.info({ event: LogEvents.SIM_CHANGE, change: what, ...simState(sim) }, `${what}: availability_check ${sim.available ? 200 : 503}`)
  }
  sim.intercept = controlInterceptor(sim, changed)
  await sim.listen()

  let stopping = false
  const stop = (why: string): void => {
    if (stopping) return
    stopping = true
    restoreKeys()
    log.info({ event: LogEvents.SIM_STOPPING, why }, 'stopping')
    sim.close().then(() => process.exit(0))
  }
  const restoreKeys = listenToKeys(process.stdin, (key) => {
    if (key === 'q') { stop('q'); return }
    const action = KEYS[key]
    if (action === undefined) { process.stderr.write(`${KEY_HELP}\n`); return }
    applyAction(sim, action).then((a) => { if (a.status === 200) changed(action); else log.warn({ ...a.doc }, `${action} refused`) })
  })
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
  // said once the signals are handled: whoever waits for this line may stop the process at once (it did before
  // the handlers, and a SIGTERM in that gap killed it instead of exiting 0)
  log.info({ event: LogEvents.SIM_LISTENING, host: config.host, port: sim.port, profile: config.profile, node: config.nodeName },
    `simulated EMQX (${config.profile}) ${config.nodeName} on ${sim.url}; ` +
    `control with POST ${sim.url}${CONTROL_PREFIX}<action> or ${KEY_HELP}`)
  return -1
}
