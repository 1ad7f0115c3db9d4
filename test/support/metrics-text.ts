import { request } from 'undici'

/** Fetches /metrics and returns `name{labels}` -> value for every sample. */
export async function scrape (baseUrl: string): Promise<Map<string, number>> {
  const res = await request(`${baseUrl}/metrics`)
  const text = await res.body.text()
  const samples = new Map<string, number>()
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const i = line.lastIndexOf(' ')
    samples.set(line.slice(0, i), Number(line.slice(i + 1)))
  }
  return samples
}

export function failureCount (samples: ReadonlyMap<string, number>, reason: string): number {
  return samples.get(`emqx_lb_sidecar_emqx_check_failures_total{reason="${reason}"}`) ?? 0
}

export function checkCount (samples: ReadonlyMap<string, number>, outcome: string): number {
  return samples.get(`emqx_lb_sidecar_emqx_checks_total{outcome="${outcome}"}`) ?? 0
}
