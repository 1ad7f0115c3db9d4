import { finding, type Finding } from './finding.js'
import { asString, field, type YamlDoc } from './k8s-yaml.js'
import { showMs, type DoctorSettings } from './settings.js'
import { PROBE_PATHS } from './sidecar-facts.js'

const AWS = 'service.beta.kubernetes.io/aws-load-balancer-'
/** The AWS NLB's health-check defaults as docs/cloud-load-balancers.md gives them: every 30 s, 2 failures to unhealthy. */
const AWS_DEFAULTS = { interval: 30, unhealthy: 2 }

/**
 * A LoadBalancer Service of the AWS Load Balancer Controller with pod (`ip`) targets: the NLB's own health
 * check decides, so it must ask the sidecar, fit the wait, and leave established connections alone
 * (docs/cloud-load-balancers.md, "AWS NLB"). Instance targets go through kube-proxy and the readiness probe.
 */
export function awsFindings (file: string, doc: YamlDoc, s: DoctorSettings): Finding[] {
  const v = doc.value
  if (field(v, 'kind') !== 'Service' || field(v, 'spec', 'type') !== 'LoadBalancer') return []
  const annotations = field(v, 'metadata', 'annotations')
  const get = (key: string): string | undefined => asString(field(annotations, `${AWS}${key}`))
  if (get('nlb-target-type') !== 'ip') return []
  const name = asString(field(v, 'metadata', 'name')) ?? ''
  const at = (key: string): number =>
    doc.lineOf(get(key) !== undefined ? ['metadata', 'annotations', `${AWS}${key}`] : ['metadata', 'annotations'])
  const out: Finding[] = []
  const protocol = (get('healthcheck-protocol') ?? 'TCP').toUpperCase()
  const port = get('healthcheck-port') ?? 'traffic-port'
  const path = get('healthcheck-path') ?? '/'
  if (protocol === 'TCP' || port !== String(s.sidecarPort) || !PROBE_PATHS.includes(path)) {
    const what = protocol === 'TCP'
      ? 'a TCP connect, which a draining node keeps accepting'
      : port !== String(s.sidecarPort) ? `port ${port}, not the sidecar's ${s.sidecarPort}` : `${path}, which the sidecar does not answer`
    out.push(finding('K8S_CLOUD_CHECK_TARGET', file, at(protocol === 'TCP'
      ? 'healthcheck-protocol'
      : port !== String(s.sidecarPort)
        ? 'healthcheck-port'
        : 'healthcheck-path'), `Service ${name}: the NLB checks its pod targets with ${what}: it never sees a drain and keeps ` +
      'sending the pod new clients through the whole evacuation',
    `${AWS}healthcheck-protocol: HTTP, ${AWS}healthcheck-port: "${s.sidecarPort}", ${AWS}healthcheck-path: /readyz`))
  }
  const interval = Number(get('healthcheck-interval') ?? AWS_DEFAULTS.interval)
  const unhealthy = Number(get('healthcheck-unhealthy-threshold') ?? AWS_DEFAULTS.unhealthy)
  const seen = s.pollIntervalMs + interval * unhealthy * 1000
  if (seen > s.waitHealthCheckMs) {
    out.push(finding('K8S_CLOUD_SLOW_CHECK', file, at('healthcheck-interval'), `Service ${name}: the NLB takes up to ${showMs(seen)} ` +
      `(poll + interval ${interval} s x unhealthy threshold ${unhealthy}) to mark a draining pod unhealthy, more than ` +
      `wait_health_check ${showMs(s.waitHealthCheckMs)}: EMQX evicts while the NLB still sends it new clients`,
    `${AWS}healthcheck-interval: "5", ${AWS}healthcheck-unhealthy-threshold: "2"`))
  }
  const attributes = new Map((get('target-group-attributes') ?? '').split(',').map((kv): [string, string] => {
    const [key = '', value = ''] = kv.trim().split('=')
    return [key, value]
  }))
  if (attributes.get('target_health_state.unhealthy.connection_termination.enabled') !== 'false') {
    out.push(finding('K8S_CLOUD_CONNECTION_TERMINATION', file, at('target-group-attributes'), `Service ${name}: an unhealthy target's ` +
      'connections are reset (target_health_state.unhealthy.connection_termination.enabled is true by default): the drain\'s 503 ' +
      'cuts every client of the pod at once, instead of EMQX evicting them at its rate',
    `${AWS}target-group-attributes: target_health_state.unhealthy.connection_termination.enabled=false,` +
      'target_health_state.unhealthy.draining_interval_seconds=3600'))
  }
  return out
}
