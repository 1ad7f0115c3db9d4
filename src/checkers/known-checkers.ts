/**
 * The User-Agent of `emqx-lb-sidecar nginx-sync`'s probes. nginx-sync takes a node out of its upstream
 * on the first answer that is not 200 (src/nginx/probe.ts), so the tracker counts it as told after one
 * drain answer, whatever --checker-fall says for HTTP load balancers.
 */
export const NGINX_SYNC_USER_AGENT = 'emqx-lb-sidecar-nginx-sync'

/** Drain answers a checker needs before it acts: its own rule when known, else the kind's configured fall. */
export function fallOf (kind: 'http' | 'agent', userAgent: string, configured: number): number {
  return kind === 'http' && userAgent === NGINX_SYNC_USER_AGENT ? 1 : configured
}
