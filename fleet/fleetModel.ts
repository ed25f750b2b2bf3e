/**
 * The fleet report: what `querylens report --prometheus` prints and the fleet
 * page shows, aggregated across every instance Prometheus scrapes from the
 * metrics the agents already export. Documented in docs/scaling.md.
 */

/** Which series were read: the jobs (none: every job with querylens metrics) and the window. */
export interface FleetScope {
  readonly jobs: readonly string[];
  /** A PromQL duration (`1h`): figures are increases over it. Undefined: totals since each process started. */
  readonly window: string | undefined;
}

/**
 * A scrape target as Prometheus names it. Both labels: two jobs (two services)
 * can share an `instance` value (one host:port pattern, or `instance`
 * relabelled to a pod name), and keyed by it alone their series would merge.
 */
export interface FleetTarget {
  readonly job: string;
  readonly instance: string;
}

export interface FleetInstance extends FleetTarget {
  /** Prometheus's last scrape of it succeeded; undefined when it has no `up` series. */
  readonly up: boolean | undefined;
  /** `service.name` from `target_info`, when the exporter wrote it. */
  readonly service: string | undefined;
  /** Agent version from `querylens_agent_info`; undefined for a target that is down and no longer reports it. */
  readonly agentVersion: string | undefined;
}

/** A statement's figures on one instance. */
export interface InstanceFigures extends FleetTarget {
  readonly calls: number;
  readonly totalMs: number;
  readonly rows: number;
  readonly errors: number;
}

export interface FleetStatement {
  readonly fingerprint: string;
  /** Normalized text from `querylens_query_info` (cut to its 200 characters); '' when no instance reports it. */
  readonly query: string;
  readonly operation: string;
  readonly collection: string;
  readonly calls: number;
  readonly totalMs: number;
  /** totalMs / calls; undefined without calls. */
  readonly meanMs: number | undefined;
  readonly rows: number;
  readonly errors: number;
  /** Share of the fleet's statement time. */
  readonly shareOfTime: number;
  /** Each instance that ran it, the busiest first. */
  readonly instances: readonly InstanceFigures[];
}

export interface FleetFindingInstance extends FleetTarget {
  /** Distinct fingerprints flagged by the rule there (`querylens_findings`). */
  readonly fingerprints: number;
  /** Flagged executions there (`querylens_flagged_executions_total`). */
  readonly executions: number;
}

export interface FleetFinding {
  readonly rule: string;
  readonly severity: string;
  readonly category: string;
  readonly executions: number;
  /** The most fingerprints any one instance flags: instances share statements, so a sum would count one twice. */
  readonly maxFingerprints: number;
  readonly instances: readonly FleetFindingInstance[];
}

/** One pool on one instance. */
export interface PoolOnInstance extends FleetTarget {
  readonly used: number;
  readonly idle: number;
  readonly max: number;
  readonly pending: number;
  /** used / max; undefined when the pool reports no maximum. */
  readonly saturation: number | undefined;
  readonly timeouts: number;
}

/** A pool name across the fleet (pools of one database share it: `host:port/database` or the application_name). */
export interface FleetPool {
  readonly pool: string;
  readonly used: number;
  readonly max: number;
  readonly pending: number;
  readonly timeouts: number;
  /** Fleet-wide used / max. */
  readonly saturation: number | undefined;
  /** The most saturated instance's figure. */
  readonly maxSaturation: number | undefined;
  /** Each instance's pool, the most saturated first. */
  readonly instances: readonly PoolOnInstance[];
}

export interface FleetReport {
  readonly prometheus: string;
  readonly scope: FleetScope;
  readonly generatedAt: string;
  readonly instances: readonly FleetInstance[];
  /** Every labelled statement, by total time across the fleet. */
  readonly statements: readonly FleetStatement[];
  /** Executions of statements without a series of their own (`fingerprint="other"`), fleet-wide. */
  readonly other: { readonly calls: number; readonly totalMs: number };
  /** By severity, then flagged executions. */
  readonly findings: readonly FleetFinding[];
  /** By the most saturated instance, then pending requests. */
  readonly pools: readonly FleetPool[];
}
