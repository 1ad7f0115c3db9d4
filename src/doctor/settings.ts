import type { AgentDrainWord } from '../config/serve-types.js'

/** The settings a drain needs, which every config is checked against (from doctor's options, src/commands/doctor-options.ts). */
export interface DoctorSettings {
  readonly waitHealthCheckMs: number
  readonly mqttKeepaliveMs: number
  readonly evacuationTimeoutMs: number
  readonly shutdownDelayMs: number
  readonly waitTakeoverMs: number
  readonly pollIntervalMs: number
  /** the sidecar's HTTP port: HTTP checks belong there */
  readonly sidecarPort: number
  /** the sidecar's agent-check port */
  readonly agentPort: number
  /** the sidecar's --agent-drain-word */
  readonly agentDrainWord: AgentDrainWord
  /** flags given on the command line or in the environment: they beat a manifest's SIDECAR_* env */
  readonly explicit: ReadonlySet<string>
}

/** Idle limits must exceed 1.5 x the keepalive: MQTT lets a broker wait that long for a client's packet. */
export function minIdleMs (s: DoctorSettings): number {
  return Math.ceil(s.mqttKeepaliveMs * 1.5)
}

/** `90000` -> `90s`, `1500` -> `1500ms`, `600000` -> `10m`: durations as the configs write them. */
export function showMs (ms: number): string {
  if (ms % 60_000 === 0 && ms >= 60_000) return `${ms / 60_000}m`
  if (ms % 1000 === 0) return `${ms / 1000}s`
  return `${ms}ms`
}
