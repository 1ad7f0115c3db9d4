/**
 * The EMQX test double is the product's own simulator (src/sim), so what users rehearse with and
 * what the tests prove against are the same code. Re-exported here for the tests.
 */
import type { Test } from 'tap'
import { EmqxSim, type SimOptions } from '../../src/sim/emqx-sim.js'
export { EmqxSim } from '../../src/sim/emqx-sim.js'
export type { SimProfile } from '../../src/sim/profiles.js'
export type { SimFault } from '../../src/sim/faults.js'

/** Starts a double on a loopback port and closes it when the test ends. */
export async function startDouble (t: Test, options: SimOptions = {}): Promise<EmqxSim> {
  const sim = new EmqxSim(options)
  await sim.listen()
  t.teardown(async () => { await sim.setFault('none'); await sim.close() })
  return sim
}
