import type { Snapshot } from '../../src/state/model.js'
import { Store } from '../../src/state/store.js'

/** A store whose snapshot a test may set directly (the sidecar writes only through the named transitions). */
export class TestStore extends Store {
  override update (fn: (s: Snapshot) => Snapshot): Snapshot { return super.update(fn) }
}
