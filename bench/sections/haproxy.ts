import type { Summary } from '../lib/stats.js'

export interface HaproxyRow { readonly config: string, readonly out: Summary, readonly back: Summary }
export interface HaproxyResult {
  readonly skipped?: string
  readonly version: string
  readonly pollIntervalMs: number
  readonly rows: readonly HaproxyRow[]
  readonly note?: string
}

export async function haproxyEndToEnd (): Promise<HaproxyResult> {
  return { skipped: 'not implemented yet', version: '', pollIntervalMs: 0, rows: [] }
}
