import { serveOptions } from '../config/options.js'
import { parseOptions } from '../config/parse.js'
import { finding, type Finding } from './finding.js'
import { awsFindings } from './k8s-cloud.js'
import { podTemplates, type Container, type PodTemplate } from './k8s-pods.js'
import { asArray, asNumber, asString, field, parseYaml, type YamlDoc } from './k8s-yaml.js'
import { showMs, type DoctorSettings } from './settings.js'
import { PROBE_PATHS } from './sidecar-facts.js'

/** Kubernetes' probe defaults (periodSeconds 10, timeoutSeconds 1, failureThreshold 3) and grace period (30 s). */
const PROBE_DEFAULTS = { periodSeconds: 10, timeoutSeconds: 1, failureThreshold: 3 }
const GRACE_DEFAULT_S = 30
/** The EMQX Operator re-checks a Ready pod's readiness gate every 30 s (deploy/README.md, "EMQX Operator"). */
const OPERATOR_GATE_MS = 30_000

/** Findings for one (multi-document) Kubernetes YAML file. */
export function k8sFindings (file: string, text: string, s: DoctorSettings): Finding[] {
  const out: Finding[] = []
  for (const doc of parseYaml(file, text)) {
    for (const pod of podTemplates(doc)) out.push(...podFindings(file, pod, s))
    out.push(...headless(file, doc), ...awsFindings(file, doc, s))
  }
  return out
}

/** The sidecar's settings as this manifest's env gives them, parsed by the sidecar's own option table; doctor's explicit flags win. */
interface SidecarView { readonly settings: DoctorSettings, readonly adminOn: boolean, readonly fall: number, readonly findings: Finding[] }

function sidecarSettings (file: string, pod: PodTemplate, s: DoctorSettings): SidecarView {
  const env: Record<string, string> = {}
  const entries = asArray(field(pod.sidecar?.value, 'env'))
  for (const e of entries) {
    const name = asString(field(e, 'name')) ?? ''
    const value = asString(field(e, 'value'))
    // a value from a Secret or a field is unknown here: a placeholder where only its presence matters (credentials, files)
    if (value !== undefined && !value.includes('$(')) env[name] = value
    else if (field(e, 'valueFrom') !== undefined && /(USERNAME|PASSWORD|TOKEN|_FILE)$/.test(name)) env[name] = 'doctor-placeholder-value'
  }
  const parsed = parseOptions(serveOptions, [], env, () => 'doctor-placeholder-secret')
  const v = parsed.values
  const envLine = pod.sidecar !== undefined ? pod.doc.lineOf([...pod.sidecar.path, 'env']) : 0
  const findings = parsed.problems.map((p) => finding('K8S_SIDECAR_ENV', file, envLine, 'the sidecar refuses to start with this env ' +
    `(${p}): the pod never becomes Ready, and no drain is ever seen`,
  'fix the value named (emqx-lb-sidecar --help lists each SIDECAR_* variable)'))
  const pick = (flag: string, fromEnv: number | undefined, mine: number): number =>
    (s.explicit.has(flag) || fromEnv === undefined ? mine : fromEnv)
  const settings: DoctorSettings = {
    ...s,
    waitHealthCheckMs: pick('wait-health-check', v['wait-health-check'], s.waitHealthCheckMs),
    evacuationTimeoutMs: pick('evacuation-timeout', v['evacuation-timeout'], s.evacuationTimeoutMs),
    shutdownDelayMs: pick('shutdown-delay', v['shutdown-delay'], s.shutdownDelayMs),
    pollIntervalMs: pick('poll-interval', v['poll-interval'], s.pollIntervalMs),
    sidecarPort: pick('port', v.port, s.sidecarPort),
  }
  return { settings, adminOn: v['admin-token'] !== undefined, fall: v['checker-fall'], findings }
}

function podFindings (file: string, pod: PodTemplate, base: DoctorSettings): Finding[] {
  const { settings: s, adminOn, fall, findings: out } = sidecarSettings(file, pod, base)
  const at = (path: ReadonlyArray<string | number>): number => pod.doc.lineOf(path)
  const sidecar = pod.sidecar
  if (sidecar === undefined || field(sidecar.value, 'readinessProbe') === undefined) {
    if (pod.operator && sidecar === undefined && OPERATOR_GATE_MS + s.pollIntervalMs <= s.waitHealthCheckMs) return out
    const where = sidecar?.path ?? pod.emqx?.path ?? pod.path
    out.push(finding('K8S_NO_SIDECAR_READINESS', file, at(where), `${pod.kind} ${pod.name}: ${sidecar === undefined
      ? 'no emqx-lb-sidecar container'
      : `container ${sidecar.name} has no readinessProbe`}: the pod stays Ready while EMQX drains, so the Service (and a cloud load ` +
      'balancer with pod targets) keeps sending it new clients through the whole evacuation',
    `readinessProbe: {httpGet: {path: /readyz, port: ${s.sidecarPort}}, periodSeconds: 2, failureThreshold: 1, timeoutSeconds: 1} ` +
      '(on the sidecar container, as in deploy/base/statefulset.yaml)'))
  } else out.push(...readiness(file, pod, sidecar, s, fall))
  if (pod.emqx !== undefined) out.push(...shutdown(file, pod, pod.emqx, s, adminOn))
  return out
}

function readiness (file: string, pod: PodTemplate, sidecar: Container, s: DoctorSettings, fall: number): Finding[] {
  const out: Finding[] = []
  const probePath = [...sidecar.path, 'readinessProbe']
  const probe = field(sidecar.value, 'readinessProbe')
  const at = (...p: Array<string | number>): number => pod.doc.lineOf([...probePath, ...p])
  const http = field(probe, 'httpGet')
  if (http === undefined) {
    out.push(finding('K8S_READINESS_TARGET', file, at(), `${pod.kind} ${pod.name}: the sidecar's readinessProbe is not an httpGet: it ` +
      'sees the sidecar running, never a drain', `readinessProbe: {httpGet: {path: /readyz, port: ${s.sidecarPort}}}`))
  } else {
    const path = asString(field(http, 'path')) ?? '/'
    if (!PROBE_PATHS.includes(path.split('?')[0] ?? path)) {
      out.push(finding('K8S_READINESS_TARGET', file, at('httpGet', 'path'), `${pod.kind} ${pod.name}: readiness asks ${path}, which does ` +
        `not follow EMQX's availability (the sidecar's drain paths: ${PROBE_PATHS.slice(1).join(', ')}): the pod stays Ready while ` +
        'EMQX drains',
      'path: /readyz'))
    }
    const port = portNumber(sidecar, field(http, 'port'))
    if (port !== s.sidecarPort) {
      out.push(finding('K8S_READINESS_TARGET', file, at('httpGet', 'port'), `${pod.kind} ${pod.name}: readiness asks port ` +
        `${String(field(http, 'port') ?? 'none')}, not the sidecar's ${s.sidecarPort}: the probe never sees a drain`,
      `port: ${s.sidecarPort}`))
    }
  }
  const period = asNumber(field(probe, 'periodSeconds')) ?? PROBE_DEFAULTS.periodSeconds
  const threshold = asNumber(field(probe, 'failureThreshold')) ?? PROBE_DEFAULTS.failureThreshold
  const timeout = asNumber(field(probe, 'timeoutSeconds')) ?? PROBE_DEFAULTS.timeoutSeconds
  const seen = s.pollIntervalMs + (period * threshold + timeout) * 1000
  if (seen > s.waitHealthCheckMs) {
    out.push(finding('K8S_SLOW_READINESS', file, at('periodSeconds'), `${pod.kind} ${pod.name}: the kubelet takes up to ${showMs(seen)} ` +
      `(poll ${showMs(s.pollIntervalMs)} + periodSeconds ${period} x failureThreshold ${threshold} + timeoutSeconds ${timeout}) to mark ` +
      `a draining pod unready, more than wait_health_check ${showMs(s.waitHealthCheckMs)}: EMQX evicts while the Service still sends ` +
      'it new clients',
    'periodSeconds: 2, failureThreshold: 1, timeoutSeconds: 1'))
  }
  if (fall < threshold) {
    const envAt = asArray(field(sidecar.value, 'env')).findIndex((e) => field(e, 'name') === 'SIDECAR_CHECKER_FALL')
    out.push(finding('K8S_CHECKER_FALL', file, pod.doc.lineOf(envAt >= 0 ? [...sidecar.path, 'env', envAt] : sidecar.path),
      `${pod.kind} ${pod.name}: the sidecar counts the kubelet as told of a drain after ${fall} drain answer(s), the probe needs ` +
      `failureThreshold ${threshold}: an acknowledged evacuation lets EMQX evict before the pod has left the Service`,
    `- {name: SIDECAR_CHECKER_FALL, value: "${threshold}"}`))
  }
  return out
}

/** A probe's port: a number, or the name of one of the container's ports. */
function portNumber (c: Container, port: unknown): number | undefined {
  if (typeof port === 'number') return port
  const named = asArray(field(c.value, 'ports')).find((p) => field(p, 'name') === port)
  return asNumber(field(named, 'containerPort')) ?? (typeof port === 'string' && /^\d+$/.test(port) ? Number(port) : undefined)
}

/** preStop and the grace period: the kubelet's countdown starts before preStop and kills what still runs when it ends. */
function shutdown (file: string, pod: PodTemplate, emqx: Container, s: DoctorSettings, adminOn: boolean): Finding[] {
  const out: Finding[] = []
  const preStop = field(emqx.value, 'lifecycle', 'preStop')
  if (adminOn && preStop === undefined) {
    out.push(finding('K8S_NO_PRESTOP', file, pod.doc.lineOf(emqx.path), `${pod.kind} ${pod.name}: the sidecar has admin endpoints (an ` +
      'admin token) but container emqx has no preStop hook: a deleted pod (rolling update, node drain) stops EMQX at once, and every ' +
      'client it holds is cut together instead of being evacuated',
    'lifecycle: {preStop: ...GET /prestop...} (deploy/overlays/evacuate-on-shutdown/prestop.yaml)'))
  }
  const evacuates = preStop !== undefined && JSON.stringify(preStop).includes('/prestop')
  const needMs = (evacuates ? s.evacuationTimeoutMs : 0) + s.shutdownDelayMs
  const grace = asNumber(field(pod.spec, 'terminationGracePeriodSeconds')) ?? GRACE_DEFAULT_S
  if (grace * 1000 < needMs) {
    out.push(finding('K8S_GRACE_PERIOD', file, pod.doc.lineOf([...pod.path, 'terminationGracePeriodSeconds']), `${pod.kind} ${pod.name}: ` +
      `terminationGracePeriodSeconds ${grace} is shorter than ` +
      `${evacuates ? `the evacuation timeout ${showMs(s.evacuationTimeoutMs)} + ` : ''}the shutdown delay ${showMs(s.shutdownDelayMs)}: ` +
      `the kubelet kills the pod ${evacuates ? 'mid-evacuation, cutting every client left' : 'before the sidecar\'s delay ends'}`,
    `terminationGracePeriodSeconds: ${Math.ceil(needMs / 1000) + 15}`))
  }
  return out
}

/** EMQX's headless Service must keep draining (not Ready) pods in DNS: they are still cluster members serving clients. */
function headless (file: string, doc: YamlDoc): Finding[] {
  const v = doc.value
  if (field(v, 'kind') !== 'Service' || field(v, 'spec', 'clusterIP') !== 'None') return []
  const emqx = asArray(field(v, 'spec', 'ports')).some((p) => [4370, 5369].includes(asNumber(field(p, 'port')) ?? 0))
  if (!emqx || field(v, 'spec', 'publishNotReadyAddresses') === true) return []
  const name = asString(field(v, 'metadata', 'name')) ?? ''
  return [finding('K8S_HEADLESS_NOT_READY', file, doc.lineOf(['spec', 'clusterIP']), `Service ${name}: ` +
    'a draining pod is not Ready and drops out of this headless Service\'s DNS, so the other EMQX nodes lose its address while it still ' +
    'serves clients', 'publishNotReadyAddresses: true')]
}
