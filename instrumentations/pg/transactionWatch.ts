/**
 * Transactions, read from the statements the hook already sees: a client
 * whose ReadyForQuery status (pg's `getTransactionStatus()`) turns to `T`
 * or `E` has opened one, back to `I` has ended it (COMMIT, ROLLBACK, or a
 * failure PostgreSQL rolled back). Each ended transaction's duration goes to
 * the per-pool histogram; one open past QUERYLENS_LONG_TRANSACTION_MS, and a
 * client idle inside one (no statement sent) past
 * QUERYLENS_IDLE_IN_TRANSACTION_MS, is an occurrence of a connection finding,
 * reported as it ends or, while it lasts, by the periodic check.
 *
 * The transaction's call site is its first statement's whose execution was
 * sampled. After a finding without one, the next LONG_HUNT_TRANSACTIONS
 * transaction starts (BEGIN / START) capture their site, every one.
 */
import type { Attributes, Counter } from '@opentelemetry/api';
import type { CallSite } from '../../core/callSite';
import type { RequestScope } from '../../core/requestEvents';
import type { DatabaseHistogram } from '../../core/metrics/preAggregatedHistogram';
import { ATTR } from '../../core/metrics/registry';
import type { ConnectionFindings, ConnectionFindingKind } from './connectionFindings';
import { poolOfClient, type ClientPool } from './checkouts';

export const SITE_HUNT_TRANSACTIONS = 10_000;
/** Open transactions watched at once; a client lost inside one is forgotten after OPEN_TRANSACTION_TTL_MS. */
export const MAX_OPEN_TRANSACTIONS = 10_000;
export const OPEN_TRANSACTION_TTL_MS = 86_400_000;

/** A client the app made itself (`new pg.Client()`), not from a pool. */
const NO_POOL: ClientPool = { name: 'none', attributes: { [ATTR.poolName]: 'none' } };
const TRANSACTION_START = /^\s*(begin|start\s+transaction)\b/i;

export interface TransactionSettings {
  readonly longTransactionMs: number;
  readonly idleInTransactionMs: number;
}

export interface TransactionInstruments {
  readonly duration: DatabaseHistogram;
  readonly long: Counter<Attributes>;
  readonly idle: Counter<Attributes>;
}

interface TransactionAware {
  getTransactionStatus?(): string | null;
}

interface OpenTransaction {
  readonly client: WeakRef<object>;
  readonly pool: ClientPool;
  /** monotonicMs() of the statement that opened it, and when its last statement ended. */
  readonly startedAt: number;
  lastEndedAt: number;
  site: CallSite | undefined;
  readonly scope: RequestScope | undefined;
  longReported: boolean;
  idleReported: boolean;
}

export class TransactionWatch {
  private readonly open = new WeakMap<object, OpenTransaction>();
  private readonly watched = new Set<OpenTransaction>();
  private siteHuntLeft = 0;

  constructor(
    private readonly settings: () => TransactionSettings,
    private readonly instruments: () => TransactionInstruments,
    private readonly findings: ConnectionFindings,
  ) {}

  /** Whether this statement must capture its call site whatever the sampler says: a transaction start while hunting for one. */
  wantsSite(text: string): boolean {
    if (this.siteHuntLeft === 0 || !TRANSACTION_START.test(text)) return false;
    this.siteHuntLeft -= 1;
    return true;
  }

  /**
   * After each statement (monotonicMs() times; the statement's call site when sampled and its
   * request). Outside any transaction (most statements) it costs a status read and allocates nothing.
   */
  observe(client: object, startedAt: number, endedAt: number, site: CallSite | undefined, scope: RequestScope | undefined): void {
    const status = (client as TransactionAware).getTransactionStatus?.();
    const inTransaction = status === 'T' || status === 'E';
    if (!inTransaction && this.watched.size === 0) return;
    const open = this.open.get(client);
    if (open === undefined) {
      if (inTransaction) this.begin(client, startedAt, endedAt, site, scope);
      return;
    }
    const idleMs = startedAt - open.lastEndedAt;
    if (idleMs >= this.settings().idleInTransactionMs && !open.idleReported) this.report(open, 'idle-in-transaction', idleMs, this.instruments().idle);
    open.idleReported = false;
    open.lastEndedAt = endedAt;
    open.site ??= site;
    if (!inTransaction) this.end(client, open, endedAt);
  }

  /** Reports the transactions open, or idle, past their threshold right now (the agent's periodic check). */
  check(nowMonotonic: number): void {
    const { longTransactionMs, idleInTransactionMs } = this.settings();
    for (const open of this.watched) {
      if (open.client.deref() === undefined || nowMonotonic - open.startedAt > OPEN_TRANSACTION_TTL_MS) {
        this.watched.delete(open);
        continue;
      }
      const idleMs = nowMonotonic - open.lastEndedAt;
      if (!open.idleReported && idleMs >= idleInTransactionMs) {
        this.report(open, 'idle-in-transaction', idleMs, this.instruments().idle);
        open.idleReported = true;
      }
      const openMs = nowMonotonic - open.startedAt;
      if (!open.longReported && openMs >= longTransactionMs) {
        this.report(open, 'long-transaction', openMs, this.instruments().long);
        open.longReported = true;
      }
    }
  }

  private begin(client: object, startedAt: number, endedAt: number, site: CallSite | undefined, scope: RequestScope | undefined): void {
    if (this.watched.size >= MAX_OPEN_TRANSACTIONS) return;
    const open: OpenTransaction = {
      client: new WeakRef(client),
      pool: poolOfClient(client) ?? NO_POOL,
      startedAt,
      lastEndedAt: endedAt,
      site,
      scope,
      longReported: false,
      idleReported: false,
    };
    this.open.set(client, open);
    this.watched.add(open);
  }

  private end(client: object, open: OpenTransaction, endedAt: number): void {
    this.open.delete(client);
    this.watched.delete(open);
    const durationMs = endedAt - open.startedAt;
    this.instruments().duration.record(durationMs / 1000, open.pool.attributes);
    if (!open.longReported && durationMs >= this.settings().longTransactionMs) this.report(open, 'long-transaction', durationMs, this.instruments().long);
  }

  private report(open: OpenTransaction, kind: ConnectionFindingKind, durationMs: number, counter: Counter<Attributes>): void {
    counter.add(1, open.pool.attributes);
    if (open.site === undefined) this.siteHuntLeft = SITE_HUNT_TRANSACTIONS;
    this.findings.record({ kind, pool: open.pool.name, site: open.site, route: open.scope?.route(), durationMs, at: Date.now() });
  }
}
