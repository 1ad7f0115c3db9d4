/**
 * The EMQX test double is the product's own simulator (src/emqx-double), so what users rehearse with and
 * what the tests prove against are the same code. Re-exported here for the tests.
 */
import type { Test } from 'tap'
import { EmqxDouble } from '../../src/emqx-double/double.js'
import type { SimOptions } from '../../src/emqx-double/options.js'
export { EmqxDouble } from '../../src/emqx-double/double.js'
export type { SimProfile } from '../../src/emqx-double/profiles.js'
export type { SimFault } from '../../src/emqx-double/faults.js'

/** Starts a double on a loopback port and closes it when the test ends. */
export async function startDouble (t: Test, options: SimOptions = {}): Promise<EmqxDouble> {
  const sim = new EmqxDouble(options)
  await sim.listen()
  t.teardown(async () => { await sim.setFault('none'); await sim.close() })
  return sim
}
