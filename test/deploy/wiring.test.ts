import t, { type Test } from 'tap'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { request } from 'undici'
import { serveOptions } from '../../src/config/options.js'
import { envName, commonOptions } from '../../src/config/table.js'
import { AVAILABILITY_PATHS } from '../../src/http/listeners/probe.js'
import { kustomize, type K8sObject } from '../support/kustomize.js'
import { startDouble } from '../support/emqx-double.js'
import { startSidecar } from '../support/sidecar-proc.js'
import { waitFor } from '../support/wait.js'

/**
 * The manifests are wired to the sidecar that exists: probe paths are real routes (asked of a running
 * sidecar), ports are the option defaults, every SIDECAR_* variable is a real option, secrets come from
 * files, and the readiness timing fits inside EMQX's wait_health_check.
 */
const DEPLOY = fileURLToPath(new URL('../../deploy/', import.meta.url))

interface Probe { httpGet?: { path?: string, port?: number | string }, periodSeconds?: number, timeoutSeconds?: number, failureThreshold?: number, successThreshold?: number }
interface Container {
  name: string
  image?: string
  env?: Array<{ name: string, value?: string, valueFrom?: { secretKeyRef?: { name: string, key: string } } }>
  ports?: Array<{ name?: string, containerPort: number }>
  readinessProbe?: Probe
  livenessProbe?: Probe
  resources?: { requests?: Record<string, string>, limits?: Record<string, string> }
  securityContext?: Record<string, unknown>
  volumeMounts?: Array<{ name: string, mountPath: string, readOnly?: boolean }>
}
interface PodSpec { containers: Container[], volumes?: Array<{ name: string, secret?: { secretName: string } }>, enableServiceLinks?: boolean, securityContext?: Record<string, unknown> }
type StatefulSet = K8sObject & { spec: { serviceName: string, selector: { matchLabels: Record<string, string> }, template: { metadata: { labels: Record<string, string> }, spec: PodSpec } } }
type Service = K8sObject & { spec: { type?: string, clusterIP?: string, publishNotReadyAddresses?: boolean, selector: Record<string, string>, ports: Array<{ name: string, port: number, targetPort: string | number }> } }

const HTTP_PORT = Number(serveOptions.find((o) => o.flag === 'port')?.default)
const KNOWN_ENV = new Set([...serveOptions, ...commonOptions].flatMap((o) => o.fileVariant === true ? [envName(o.flag), `${envName(o.flag)}_FILE`] : [envName(o.flag)]))
const POLL_DEFAULT_S = 1

const sidecarOf = (spec: PodSpec): Container | undefined => spec.containers.find((c) => c.name === 'lb-sidecar')
const envValue = (c: Container, name: string): string | undefined => c.env?.find((e) => e.name === name)?.value
const seconds = (d: string): number => { const m = /^(\d+(?:\.\d+)?)(ms|s)$/.exec(d); return m === null ? NaN : Number(m[1]) / (m[2] === 'ms' ? 1000 : 1) }
const subset = (sel: Record<string, string>, labels: Record<string, string>): boolean => Object.entries(sel).every(([k, v]) => labels[k] === v)

/** a probe's port resolved through the container's named ports */
function probePort (c: Container, p: Probe | undefined): number | undefined {
  const port = p?.httpGet?.port
  return typeof port === 'number' ? port : c.ports?.find((x) => x.name === port)?.containerPort
}

/** what every sidecar container in the repository must satisfy */
function checkSidecar (t: Test, where: string, c: Container): void {
  t.equal(c.readinessProbe?.httpGet?.path, '/readyz', `${where}: readiness on /readyz`)
  t.ok((AVAILABILITY_PATHS as readonly string[]).includes(c.readinessProbe?.httpGet?.path ?? ''), `${where}: readiness path is an availability route`)
  t.equal(c.livenessProbe?.httpGet?.path, '/livez', `${where}: liveness on /livez`)
  const configured = Number(envValue(c, envName('port')) ?? HTTP_PORT)
  t.equal(probePort(c, c.readinessProbe), configured, `${where}: readiness port is the sidecar's HTTP port ${configured}`)
  t.equal(probePort(c, c.livenessProbe), configured, `${where}: liveness port is the sidecar's HTTP port`)
  t.ok(c.ports?.some((p) => p.containerPort === configured), `${where}: container port ${configured} declared`)
  for (const e of c.env ?? []) t.ok(KNOWN_ENV.has(e.name), `${where}: ${e.name} is a real option variable`)
  t.notOk(c.env?.some((e) => e.name === envName('emqx-password')), `${where}: no password in the environment`)
  const sc = c.securityContext ?? {}
  t.equal(sc.runAsNonRoot, true, `${where}: runAsNonRoot`)
  t.equal(sc.readOnlyRootFilesystem, true, `${where}: read-only root filesystem`)
  t.equal(sc.allowPrivilegeEscalation, false, `${where}: no privilege escalation`)
  t.same((sc.capabilities as { drop?: string[] } | undefined)?.drop, ['ALL'], `${where}: all capabilities dropped`)
  t.ok(c.resources?.requests?.cpu !== undefined && c.resources.requests.memory !== undefined, `${where}: requests`)
  t.ok(c.resources?.limits?.memory !== undefined, `${where}: memory limit`)
  // worst case from EMQX's 503 to the pod leaving the endpoints: one poll, then `failureThreshold` probe periods
  const r = c.readinessProbe ?? {}
  const worst = seconds(envValue(c, envName('poll-interval')) ?? `${POLL_DEFAULT_S}s`) + (r.periodSeconds ?? 10) * (r.failureThreshold ?? 3) + (r.timeoutSeconds ?? 1)
  t.ok(worst <= 5, `${where}: a donor fails readiness within ${worst} s (seed documents use wait_health_check 10 s)`)
  // the drain-acknowledgement tracker must count the kubelet as told only after it really failed the pod
  const fall = Number(envValue(c, envName('checker-fall')) ?? serveOptions.find((o) => o.flag === 'checker-fall')?.default)
  t.ok(fall >= (r.failureThreshold ?? 3), `${where}: SIDECAR_CHECKER_FALL ${fall} >= readiness failureThreshold`)
  const budget = seconds(envValue(c, envName('wait-health-check')) ?? serveOptions.find((o) => o.flag === 'wait-health-check')?.default ?? '')
  t.ok(budget >= 2 * worst, `${where}: SIDECAR_WAIT_HEALTH_CHECK ${budget} s leaves room over the ${worst} s detection`)
}

const base = kustomize(join(DEPLOY, 'base'))
const sts = base.find((o) => o.kind === 'StatefulSet') as StatefulSet
const services = base.filter((o) => o.kind === 'Service') as Service[]
const pod = sts.spec.template

t.test('the StatefulSet sidecar is wired to the real sidecar', async (t) => {
  const c = sidecarOf(pod.spec)
  if (c === undefined) return t.fail('no lb-sidecar container')
  checkSidecar(t, 'base', c)
  t.match(c.image, /^emqx-lb-sidecar:\d+\.\d+\.\d+$/, 'image tag set by kustomize images')
  t.equal(envValue(c, envName('emqx-url')), 'http://127.0.0.1:18083', 'talks to EMQX in the same pod')
  const user = c.env?.find((e) => e.name === envName('emqx-username'))?.valueFrom?.secretKeyRef
  t.equal(user?.name, 'emqx-api-credentials', 'username from the Secret')
  const file = envValue(c, `${envName('emqx-password')}_FILE`)
  const mount = c.volumeMounts?.find((m) => file?.startsWith(`${m.mountPath}/`) === true)
  t.ok(mount?.readOnly, `password file ${file ?? '?'} is on a read-only mount`)
  const vol = pod.spec.volumes?.find((v) => v.name === mount?.name)
  t.equal(vol?.secret?.secretName, 'emqx-api-credentials', 'the mount is the Secret')
  t.equal(pod.spec.enableServiceLinks, false, 'no service-link variables (EMQX reads EMQX_* as config)')
  t.equal(pod.spec.securityContext?.runAsNonRoot, true, 'pod runs as non-root')
  const emqx = pod.spec.containers.find((x) => x.name === 'emqx')
  t.equal(emqx?.securityContext?.allowPrivilegeEscalation, false, 'EMQX: no privilege escalation')
  t.notOk(emqx?.readinessProbe, 'EMQX has no readiness probe of its own: the sidecar decides (it covers EMQX down too)')
})

t.test('Services: headless for clustering, MQTT load balancer, sidecar metrics; selectors and ports match the pods', async (t) => {
  const byName = new Map(services.map((s) => [s.metadata.name, s]))
  const headless = byName.get(sts.spec.serviceName)
  t.equal(headless?.spec.clusterIP, 'None', 'StatefulSet serviceName is headless')
  t.equal(headless?.spec.publishNotReadyAddresses, true, 'draining nodes stay resolvable for clustering')
  t.equal(byName.get('emqx')?.spec.type, 'LoadBalancer', 'MQTT Service is a LoadBalancer')
  t.notOk(byName.get('emqx')?.spec.publishNotReadyAddresses, 'MQTT Service drops not-ready pods')
  t.equal(byName.get('emqx-lb-sidecar')?.spec.publishNotReadyAddresses, true, 'draining pods still scraped')
  t.ok(subset(sts.spec.selector.matchLabels, pod.metadata.labels), 'StatefulSet selector matches its pods')
  const containerPorts = pod.spec.containers.flatMap((c) => c.ports ?? [])
  for (const s of services) {
    t.ok(subset(s.spec.selector, pod.metadata.labels), `${s.metadata.name} selects the EMQX pods`)
    for (const p of s.spec.ports) {
      t.ok(containerPorts.some((cp) => cp.name === p.targetPort || cp.containerPort === p.targetPort), `${s.metadata.name}:${p.name} targets a container port`)
    }
  }
  const sidecarSvc = byName.get('emqx-lb-sidecar')
  t.equal(sidecarSvc?.spec.ports[0]?.port, HTTP_PORT)
})

t.test('PDB and monitoring select what exists', async (t) => {
  const pdb = base.find((o) => o.kind === 'PodDisruptionBudget') as K8sObject & { spec: { maxUnavailable: number, selector: { matchLabels: Record<string, string> } } }
  t.equal(pdb.spec.maxUnavailable, 1)
  t.ok(subset(pdb.spec.selector.matchLabels, pod.metadata.labels), 'PDB selects the EMQX pods')
  const sm = kustomize(join(DEPLOY, 'monitoring')).find((o) => o.kind === 'ServiceMonitor') as K8sObject & { spec: { selector: { matchLabels: Record<string, string> }, endpoints: Array<{ port: string, path: string }> } }
  const selected = services.filter((s) => subset(sm.spec.selector.matchLabels, s.metadata.labels ?? {}))
  t.same(selected.map((s) => s.metadata.name), ['emqx-lb-sidecar'], 'ServiceMonitor selects only the sidecar Service')
  t.equal(sm.spec.endpoints[0]?.port, selected[0]?.spec.ports[0]?.name, 'by its port name')
  t.equal(sm.spec.endpoints[0]?.path, '/metrics')
})

t.test('overlays keep the sidecar wiring; AWS NLB health-checks the sidecar and never cuts connections', async (t) => {
  for (const o of ['aws-nlb', 'gcp', 'azure', 'evacuate-on-shutdown']) {
    const objs = kustomize(join(DEPLOY, 'overlays', o))
    const s = objs.find((x) => x.kind === 'StatefulSet') as StatefulSet
    const c = sidecarOf(s.spec.template.spec)
    if (c === undefined) { t.fail(`${o}: no sidecar`); continue }
    checkSidecar(t, o, c)
  }
  const svc = kustomize(join(DEPLOY, 'overlays', 'aws-nlb')).find((x) => x.kind === 'Service' && x.metadata.name === 'emqx') as Service
  const a = svc.metadata.annotations ?? {}
  const k = (s: string): string | undefined => a[`service.beta.kubernetes.io/aws-load-balancer-${s}`]
  t.equal(k('nlb-target-type'), 'ip', 'pod IPs are the targets, so the check reaches the sidecar')
  t.equal(Number(k('healthcheck-port')), HTTP_PORT)
  t.ok((AVAILABILITY_PATHS as readonly string[]).includes(k('healthcheck-path') ?? ''), 'health-check path is an availability route')
  t.equal(k('healthcheck-protocol'), 'HTTP')
  const detect = Number(k('healthcheck-interval')) * Number(k('healthcheck-unhealthy-threshold')) + POLL_DEFAULT_S
  const awsSidecar = sidecarOf((kustomize(join(DEPLOY, 'overlays', 'aws-nlb')).find((x) => x.kind === 'StatefulSet') as StatefulSet).spec.template.spec)
  t.ok(Number(envValue(awsSidecar as Container, envName('checker-fall'))) >= Number(k('healthcheck-unhealthy-threshold')), 'SIDECAR_CHECKER_FALL covers the NLB unhealthy threshold')
  t.ok(detect <= 30, `NLB marks a donor unhealthy within ${detect} s, half of EMQX's default wait_health_check (60 s)`)
  const attrs = Object.fromEntries((k('target-group-attributes') ?? '').split(',').map((kv) => kv.trim().split('=') as [string, string]))
  t.equal(attrs['target_health_state.unhealthy.connection_termination.enabled'], 'false', 'unhealthy targets keep their connections')
  t.equal(attrs['deregistration_delay.connection_termination.enabled'], 'false', 'deregistered targets keep their connections')
  t.ok(Number(attrs['target_health_state.unhealthy.draining_interval_seconds']) >= 600, 'draining interval covers an evacuation')
})

t.test('the EMQX Operator example adds the same sidecar', async (t) => {
  const cr = kustomize(join(DEPLOY, 'emqx-operator'))[0] as K8sObject & { spec: { coreTemplate: { spec: PodSpec & { extraContainers: Container[] } } } }
  t.equal(cr.apiVersion, 'apps.emqx.io/v2beta1')
  const c = cr.spec.coreTemplate.spec.extraContainers.find((x) => x.name === 'lb-sidecar')
  if (c === undefined) return t.fail('no sidecar in extraContainers')
  checkSidecar(t, 'emqx-operator', c)
})

t.test('the probe paths answer as the manifests expect on a running sidecar', async (t) => {
  const c = sidecarOf(pod.spec) as Container
  const ready = c.readinessProbe?.httpGet?.path ?? ''
  const live = c.livenessProbe?.httpGet?.path ?? ''
  const sim = await startDouble(t, { profile: 'v5' })
  const sc = await startSidecar(t, ['--emqx-url', sim.url, '--poll-interval', '50ms', '--shutdown-delay', '0s'])
  const status = async (p: string): Promise<number> => { const r = await request(`${sc.url}${p}`); await r.body.dump(); return r.statusCode }
  await waitFor(async () => await status(ready), (s) => s === 200, { what: `${ready} 200 once EMQX answers`, timeoutMs: 5000 })
  t.equal(await status(live), 200, `${live} 200`)
  sim.startEvacuation()
  await waitFor(async () => await status(ready), (s) => s === 503, { what: `${ready} 503 while evacuating`, timeoutMs: 5000 })
  t.equal(await status(live), 200, `${live} stays 200 while draining: kubelet must not restart a draining sidecar`)
  t.equal(await status(ready), 503, `${ready} stays 503 while evacuating`)
})
