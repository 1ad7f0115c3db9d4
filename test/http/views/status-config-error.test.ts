import t from 'tap'
import { statusDocument } from '../../../src/http/views/status.js'
import { initialSnapshot } from '../../../src/state/transition.js'

t.test('/status config_error: a 403 on the rebalance status or the cluster view names the cluster_operations scope', async (t) => {
  const s = initialSnapshot(0)
  const scope = 'EMQX answered 403 on /api/v5/load_rebalance/status: the API key is not allowed here: from EMQX 6.0.3 and 6.1.2 ' +
    'the load_rebalance API needs an API key with the cluster_operations scope'
  t.equal(statusDocument({ ...s, rebalanceError: scope }, 0).emqx.config_error, scope, 'availability_check is public there: the status read says it')
  t.equal(statusDocument({ ...s, clusterError: scope.replace('/status', '/global_status') }, 0).emqx.config_error, scope.replace('/status', '/global_status'))
  t.equal(statusDocument({ ...s, rebalanceError: 'EMQX answered 500 on /api/v5/load_rebalance/status' }, 0).emqx.config_error, null, 'other errors are not configuration')
  const auth = { ...s, lastCheck: { at: 0, durationMs: 1, outcome: 'failure' as const, failureReason: 'auth' as const, detail: 'EMQX answered 401: x' } }
  t.equal(statusDocument({ ...auth, rebalanceError: scope }, 0).emqx.config_error, 'EMQX answered 401: x', "the check's own auth failure first")
})
