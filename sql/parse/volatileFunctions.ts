/**
 * Functions whose result changes from call to call or that act on the world
 * (PostgreSQL marks them VOLATILE). A statement calling one is not read-only:
 * its result must not be cached, and EXPLAIN-ing it is pointless or harmful.
 * Matched on the unqualified, lower-case name (`pg_catalog.random` too).
 * STABLE functions such as `now()` are not listed: they are fixed within a
 * statement, and caching their results is a product decision for the cache.
 */
export const VOLATILE_FUNCTIONS: ReadonlySet<string> = new Set([
  // sequences
  'nextval',
  'setval',
  'currval',
  'lastval',
  // randomness and identifiers
  'random',
  'random_normal',
  'setseed',
  'gen_random_uuid',
  'uuidv4',
  'uuidv7',
  'uuid_generate_v1',
  'uuid_generate_v1mc',
  'uuid_generate_v4',
  // wall clock that moves within a statement
  'clock_timestamp',
  'timeofday',
  // delays
  'pg_sleep',
  'pg_sleep_for',
  'pg_sleep_until',
  // locks, notifications, settings, sessions
  'pg_advisory_lock',
  'pg_advisory_lock_shared',
  'pg_advisory_xact_lock',
  'pg_advisory_xact_lock_shared',
  'pg_try_advisory_lock',
  'pg_try_advisory_lock_shared',
  'pg_try_advisory_xact_lock',
  'pg_try_advisory_xact_lock_shared',
  'pg_advisory_unlock',
  'pg_advisory_unlock_shared',
  'pg_advisory_unlock_all',
  'pg_notify',
  'set_config',
  'pg_cancel_backend',
  'pg_terminate_backend',
  'pg_reload_conf',
  'pg_switch_wal',
  'txid_current',
  'pg_current_xact_id',
  // large objects and remote calls
  'lo_create',
  'lo_import',
  'lo_export',
  'lo_unlink',
  'dblink',
  'dblink_exec',
]);

/**
 * STABLE functions whose result depends on the moment or the session
 * (`CURRENT_TIMESTAMP` and its kin are SQLValueFunction nodes, caught apart):
 * fixed within one statement, so fine to EXPLAIN, but a cached result of one
 * would be wrong as soon as the clock moves.
 */
export const CLOCK_FUNCTIONS: ReadonlySet<string> = new Set([
  'now',
  'statement_timestamp',
  'transaction_timestamp',
  'age',
  'current_setting',
  'pg_backend_pid',
  'inet_client_addr',
  'pg_postmaster_start_time',
]);
