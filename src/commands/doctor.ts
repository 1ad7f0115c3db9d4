import { helpText } from '../config/help.js'
import { parseOptions, type ParsedOptions } from '../config/parse.js'
import type { OptionValues } from '../config/table.js'
import { ConfigError } from '../errors.js'
import { checkFiles } from '../doctor/check-files.js'
import { DoctorInputError, sortFindings } from '../doctor/finding.js'
import { liveFindings } from '../doctor/live.js'
import { findingsJson, findingsTable } from '../doctor/report.js'
import type { DoctorSettings } from '../doctor/settings.js'
import { doctorOptions } from './doctor-options.js'

const USAGE = 'emqx-lb-sidecar doctor [options] FILE...'
const SUMMARY = 'Checks load-balancer configs (haproxy.cfg, nginx, Kubernetes YAML; recognised by their content) for what defeats a\n' +
  'drain: no health check, a check that cannot see a drain, checks slower than wait_health_check, shutdown-sessions,\n' +
  'stickiness, short idle timeouts, missing preStop. Exit 0: no error; 1: an error; 2: usage or unreadable input. docs/doctor.md.'

/** FILE arguments apart from the options (an option's value is the word after it, unless it is a bool or written --flag=value). */
function splitArgs (argv: readonly string[]): { flags: string[], files: string[] } {
  const bools = new Set<string>(doctorOptions.filter((o) => o.kind === 'bool').map((o) => o.flag))
  const flags: string[] = []
  const files: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? ''
    if (a === '--') { files.push(...argv.slice(i + 1)); break }
    if (!a.startsWith('-') || a === '-') { files.push(a); continue }
    flags.push(a)
    const name = a.replace(/^--?/, '')
    const takesValue = a.startsWith('--') && !a.includes('=') && !bools.has(name) && !['help', 'version', 'check-config'].includes(name)
    if (takesValue && i + 1 < argv.length) flags.push(argv[++i] ?? '')
  }
  return { flags, files }
}

/** The settings the configs are checked against, from doctor's parsed options. */
export function doctorSettings ({ values: v, explicit }: ParsedOptions<OptionValues<typeof doctorOptions>>): DoctorSettings {
  return {
    waitHealthCheckMs: v['wait-health-check'],
    mqttKeepaliveMs: v['mqtt-keepalive'],
    evacuationTimeoutMs: v['evacuation-timeout'],
    shutdownDelayMs: v['shutdown-delay'],
    waitTakeoverMs: v['evacuation-wait-takeover'],
    pollIntervalMs: v['poll-interval'],
    sidecarPort: v.port,
    agentPort: v['agent-port'],
    agentDrainWord: v['agent-drain-word'],
    explicit,
  }
}

/** `emqx-lb-sidecar doctor`: findings as a table (or --json); exit 1 when one is an error. */
export async function doctorMain (argv: string[]): Promise<number> {
  const { flags, files } = splitArgs(argv)
  const parsed = parseOptions(doctorOptions, flags, process.env)
  if (parsed.actions.help) {
    process.stdout.write(helpText(`${USAGE}`, SUMMARY, doctorOptions))
    return 0
  }
  const v = parsed.values
  if (files.length === 0 && v.sidecar === undefined) parsed.problems.push('no FILE to check (and no --sidecar URL)')
  if (parsed.problems.length > 0) throw new ConfigError(parsed.problems)
  const settings = doctorSettings(parsed)
  let findings
  try {
    findings = checkFiles(files, settings).findings
    if (v.sidecar !== undefined) findings = sortFindings([...findings, ...await liveFindings(v.sidecar, settings, v.timeout)])
  } catch (err) {
    if (!(err instanceof DoctorInputError)) throw err
    process.stderr.write(`emqx-lb-sidecar doctor: ${err.message}\n`)
    return 2
  }
  process.stdout.write(v.json ? findingsJson(findings) : findingsTable(findings, files.length + (v.sidecar !== undefined ? 1 : 0)))
  return findings.some((f) => f.severity === 'error') ? 1 : 0
}
