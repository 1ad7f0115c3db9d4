/** Every metric name starts with this (Prometheus convention: an application prefix). */
export const PREFIX = 'emqx_lb_sidecar_'
