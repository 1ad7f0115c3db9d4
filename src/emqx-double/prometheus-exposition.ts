/**
 * What `GET /api/v5/prometheus/stats` of EMQX 5.8 answers in text (node mode: no `node` label), family by
 * family as `prometheus_text_format` renders them (`# TYPE`, `# HELP` with EMQX's empty help, the samples,
 * a blank line), built from the lists of emqx_prometheus.erl (v5.8.0: stats, VM, cluster, packets,
 * messages, delivery, client, session, overload protection, authorization, authentication, license, certs,
 * mria per shard), emqx_ds_builtin_metrics.erl (durable storage, per DB and per shard) and, when enabled
 * (`prometheus.collectors.*`, all `disabled` by default), prometheus.erl's VM collectors. The double serves
 * it so the sidecar reads an answer of EMQX's size: src/emqx/prometheus-scan.ts has the measured figures.
 */

const EMQX_FAMILIES = [
  ['gauge', 'connections_count connections_max live_connections_count live_connections_max sessions_count sessions_max channels_count ' +
    'channels_max suboptions_count suboptions_max subscribers_count subscribers_max subscriptions_count subscriptions_max ' +
    'durable_subscriptions_count durable_subscriptions_max delayed_count delayed_max cluster_sessions_count cluster_sessions_max ' +
    'topics_max topics_count retained_count retained_max subscriptions_shared_count subscriptions_shared_max vm_cpu_use vm_cpu_idle ' +
    'vm_run_queue vm_process_messages_in_queues vm_total_memory vm_used_memory cluster_nodes_running cluster_nodes_stopped'],
  ['counter', 'bytes_received bytes_sent packets_received packets_sent packets_connect packets_connack_sent packets_connack_error ' +
    'packets_connack_auth_error packets_subscribe_received packets_subscribe_auth_error packets_subscribe_error packets_suback_sent ' +
    'packets_unsubscribe_received packets_unsubscribe_error packets_unsuback_sent packets_publish_received packets_publish_sent ' +
    'packets_publish_inuse packets_publish_error packets_publish_auth_error packets_publish_dropped packets_puback_received ' +
    'packets_puback_sent packets_puback_inuse packets_puback_missed packets_pubrec_received packets_pubrec_sent packets_pubrec_inuse ' +
    'packets_pubrec_missed packets_pubrel_received packets_pubrel_sent packets_pubrel_missed packets_pubcomp_received ' +
    'packets_pubcomp_sent packets_pubcomp_inuse packets_pubcomp_missed packets_pingreq_received packets_pingresp_sent ' +
    'packets_disconnect_received packets_disconnect_sent packets_auth_received packets_auth_sent messages_received messages_sent ' +
    'messages_qos0_received messages_qos0_sent messages_qos1_received messages_qos1_sent messages_qos2_received messages_qos2_sent ' +
    'messages_publish messages_dropped messages_dropped_expired messages_dropped_no_subscribers messages_forward messages_retained ' +
    'messages_delayed messages_delivered messages_acked delivery_dropped delivery_dropped_no_local delivery_dropped_too_large ' +
    'delivery_dropped_qos0_msg delivery_dropped_queue_full delivery_dropped_expired client_connect client_connack client_connected ' +
    'client_authenticate client_auth_anonymous client_authorize client_subscribe client_unsubscribe client_disconnected ' +
    'session_created session_resumed session_takenover session_discarded session_terminated authorization_allow authorization_deny ' +
    'authorization_cache_hit authorization_cache_miss authorization_superuser authorization_nomatch authorization_matched_allow ' +
    'authorization_matched_deny authentication_success authentication_success_anonymous authentication_failure ' +
    'overload_protection_delay_ok overload_protection_delay_timeout overload_protection_hibernation overload_protection_gc ' +
    'overload_protection_new_conn'],
  ['gauge', 'license_expiry_at'],
] as const

/** mria_schema:shards() of a 5.8 Enterprise node */
const MRIA_SHARDS = ('emqx_common_shard emqx_cluster_rpc_shard emqx_authn_shard emqx_authz_shard emqx_cm_shard emqx_dashboard_shard ' +
  'emqx_exclusive_shard emqx_psk_shard emqx_retainer_shard emqx_shared_sub_shard emqx_telemetry_shard route_shard ' +
  'emqx_ee_schema_registry_shard emqx_gateway_cm_shard emqx_ds_builtin_metadata_shard').split(' ')
const MRIA_CORE = 'last_intercepted_trans weight replicants server_mql'.split(' ')
const MRIA_REPLICANT = 'lag bootstrap_time bootstrap_num_keys message_queue_len replayq_len'.split(' ')
/** emqx_ds_builtin_metrics.erl: ?DB_METRICS (storage layer and fetch), ?SHARD_METRICS (the buffer) */
const DS_DB = ('store_batch_time builtin_next_time skipstream_lts_seek skipstream_lts_next skipstream_lts_hash_collision ' +
  'skipstream_lts_hit skipstream_lts_miss skipstream_lts_future skipstream_lts_eos bitfield_lts_seek bitfield_lts_next ' +
  'bitfield_lts_collision poll_requests poll_requests_fulfilled poll_requests_dropped poll_requests_expired').split(' ')
const DS_SHARD = 'buffer_batches buffer_batches_retry buffer_batches_failed buffer_messages buffer_bytes buffer_flush_time'.split(' ')
/** durable_sessions: the default 16 shards of the `messages` DB */
const DS_SHARDS = 16

export interface ExpositionOptions {
  /** the counter the sidecar reads; absent: the family is left out (EMQX before e5.2.0) */
  readonly connects?: number
  /** durable sessions enabled (emqx_persistent_message:is_persistence_enabled/0): the DS families */
  readonly durableStorage?: boolean
  /** prometheus.erl's VM collectors enabled (memory, statistics, system_info with allocators, msacc), for this many schedulers */
  readonly vmCollectors?: { readonly schedulers: number }
}

type Sample = readonly [labels: string, value: number]

function family (out: string[], name: string, type: string, samples: readonly Sample[]): void {
  out.push(`# TYPE ${name} ${type}\n# HELP ${name} \n`)
  for (const [labels, value] of samples) out.push(`${name}${labels === '' ? '' : `{${labels}}`} ${value}\n`)
  out.push('\n')
}

/** A number of realistic width (counters of a node that has run for a while). */
function v (i: number): number { return (i * 7919) % 1_000_003 }

export function realisticExposition (o: ExpositionOptions = {}): string {
  const out: string[] = []
  let i = 0
  for (const [type, names] of EMQX_FAMILIES) {
    for (const n of names.split(' ')) {
      if (n === 'client_connect' && o.connects === undefined) continue
      family(out, `emqx_${n}`, type, [['', n === 'client_connect' ? o.connects ?? 0 : v(++i)]])
    }
  }
  const certs = ['ssl', 'wss', 'quic'].map((t) => [`listener_type="${t}",listener_name="default"`, 1_798_761_600] as const)
  family(out, 'emqx_cert_expiry_at', 'gauge', certs)
  for (const m of MRIA_CORE) family(out, `emqx_mria_${m}`, 'gauge', MRIA_SHARDS.map((s) => [`shard="${s}"`, v(++i)]))
  for (const m of MRIA_REPLICANT) family(out, `emqx_mria_${m}`, 'gauge', [])
  if (o.durableStorage === true) {
    for (const m of DS_DB) family(out, `emqx_ds_${m}`, 'counter', [['db="messages"', v(++i)]])
    for (const m of DS_SHARD) {
      const shards = Array.from({ length: DS_SHARDS }, (_, s) => [`db="messages",shard="${s}"`, v(++i)] as const)
      family(out, `emqx_ds_${m}`, 'counter', shards)
    }
  }
  if (o.vmCollectors !== undefined) vmFamilies(out, o.vmCollectors.schedulers, () => v(++i))
  return out.join('')
}

const ALLOCATORS = ('temp_alloc sl_alloc std_alloc ll_alloc eheap_alloc ets_alloc fix_alloc literal_alloc exec_alloc binary_alloc ' +
  'driver_alloc').split(' ')
const MSACC_STATES = 'alloc aux bif busy_wait check_io emulator ets gc gc_full nif other port send sleep timers'.split(' ')

/** prometheus.erl's vm_memory, vm_statistics, vm_system_info (with erlang_vm_allocators) and vm_msacc collectors. */
function vmFamilies (out: string[], schedulers: number, n: () => number): void {
  family(out, 'erlang_vm_memory_atom_bytes_total', 'gauge', [['usage="used"', n()], ['usage="free"', n()]])
  family(out, 'erlang_vm_memory_bytes_total', 'gauge', [['kind="system"', n()], ['kind="processes"', n()]])
  family(out, 'erlang_vm_memory_processes_bytes_total', 'gauge', [['usage="used"', n()], ['usage="free"', n()]])
  family(out, 'erlang_vm_memory_system_bytes_total', 'gauge', 'atom binary code ets other'.split(' ').map((u) => [`usage="${u}"`, n()]))
  for (const m of 'dets_tables ets_tables'.split(' ')) family(out, `erlang_vm_memory_${m}`, 'gauge', [['', n()]])
  const stats = ('bytes_output_total bytes_received_total context_switches dirty_cpu_run_queue_length dirty_io_run_queue_length ' +
    'garbage_collection_number_of_gcs garbage_collection_words_reclaimed garbage_collection_bytes_reclaimed reductions_total ' +
    'run_queues_length runtime_milliseconds wallclock_time_milliseconds').split(' ')
  for (const m of stats) family(out, `erlang_vm_statistics_${m}`, 'counter', [['', n()]])
  const info = ('dirty_cpu_schedulers dirty_cpu_schedulers_online dirty_io_schedulers ets_limit logical_processors ' +
    'logical_processors_available logical_processors_online port_count port_limit process_count process_limit schedulers ' +
    'schedulers_online smp_support threads thread_pool_size time_correction wordsize_bytes atom_count atom_limit').split(' ')
  for (const m of info) family(out, `erlang_vm_${m}`, 'gauge', [['', n()]])
  const alloc: Sample[] = []
  for (const a of ALLOCATORS) {
    for (let inst = 0; inst <= schedulers; inst++) {
      for (const kind of ['mbcs', 'mbcs_pool', 'sbcs']) {
        for (const usage of ['blocks', 'blocks_size', 'carriers', 'carriers_size']) {
          alloc.push([`alloc="${a}",instance_no="${inst}",kind="${kind}",usage="${usage}"`, n()])
        }
      }
    }
  }
  family(out, 'erlang_vm_allocators', 'gauge', alloc)
  const threads: Array<[string, number]> = [['scheduler', schedulers], ['dirty_cpu_scheduler', schedulers], ['dirty_io_scheduler', 10],
    ['async', 1], ['aux', 1], ['poll', 1]]
  for (const state of MSACC_STATES) {
    const samples: Sample[] = []
    for (const [type, count] of threads) for (let id = 0; id < count; id++) samples.push([`type="${type}",id="${id}"`, n() / 1000])
    family(out, `erlang_vm_msacc_${state}_seconds_total`, 'counter', samples)
  }
}
