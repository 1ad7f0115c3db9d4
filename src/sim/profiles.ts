/**
 * The EMQX versions the simulator can play, one per row of the facts file
 * (../shared/emqx-api-facts.md, "Endpoints"): where the API lives and which calls need credentials.
 */
export type SimProfile = 'v5' | 'v5.3' | 'v4.4' | 'v4.4.24' | 'oss'
export const SIM_PROFILES: readonly SimProfile[] = ['v5', 'v5.3', 'v4.4', 'v4.4.24', 'oss']

export interface ProfileTraits {
  /** API generation in paths: /api/v5/... or /api/v4/... */
  readonly api: 'v4' | 'v5'
  /** availability_check requires Basic auth (5.0.4-5.3, 4.4.12-4.4.23) */
  readonly availabilityNeedsAuth: boolean
  /** open-source 5.x before the unified 5.9 line: /api/v5/load_rebalance/* is 404 */
  readonly hasRebalance: boolean
  /** 5.4+: evacuation first waits in waiting_health_check while accepting connections */
  readonly waitsHealthCheck: boolean
  /** default port of the real thing */
  readonly defaultPort: number
}

export const PROFILES: Readonly<Record<SimProfile, ProfileTraits>> = {
  v5: { api: 'v5', availabilityNeedsAuth: false, hasRebalance: true, waitsHealthCheck: true, defaultPort: 18083 },
  'v5.3': { api: 'v5', availabilityNeedsAuth: true, hasRebalance: true, waitsHealthCheck: false, defaultPort: 18083 },
  'v4.4': { api: 'v4', availabilityNeedsAuth: true, hasRebalance: true, waitsHealthCheck: false, defaultPort: 8081 },
  'v4.4.24': { api: 'v4', availabilityNeedsAuth: false, hasRebalance: true, waitsHealthCheck: false, defaultPort: 8081 },
  oss: { api: 'v5', availabilityNeedsAuth: false, hasRebalance: false, waitsHealthCheck: false, defaultPort: 18083 },
}
