/** Leaks, long and idle transactions as findings: grouping, late releases, ageing out; the transaction watch on fake clients. */
import { describe, expect, it } from 'vitest';
import type { Attributes, Counter } from '@opentelemetry/api';
import type { CallSite } from '../../core/callSite';
import { ConnectionFindings, FINDING_TTL_MS } from '../../instrumentations/pg/connectionFindings';
import { TransactionWatch, type TransactionInstruments } from '../../instrumentations/pg/transactionWatch';
import { PreAggregatedHistogram } from '../../core/metrics/preAggregatedHistogram';
import { METRICS } from '../../core/metrics/registry';

const SITE: CallSite = { file: 'src/orders.js', line: 42, column: 7, function: 'loadOrders' };
const AT = Date.UTC(2026, 11, 2, 6, 0);

function countingCounter(): Counter<Attributes> & { total: number } {
  const counter = { total: 0, add(value: number) { counter.total += value; } };
  return counter as unknown as Counter<Attributes> & { total: number };
}

describe('ConnectionFindings', () => {
  it('groups occurrences by kind, pool, call site and route, keeping the longest and the latest', () => {
    const findings = new ConnectionFindings();
    findings.record({ kind: 'pool-client-leak', pool: 'db', site: SITE, route: 'GET /leak', durationMs: 12_000, at: AT });
    findings.record({ kind: 'pool-client-leak', pool: 'db', site: SITE, route: 'GET /leak', durationMs: 11_000, at: AT + 1000 });
    findings.record({ kind: 'pool-client-leak', pool: 'db', site: undefined, route: 'GET /leak', durationMs: 10_500, at: AT + 2000 });
    const [unsampled, sampled] = findings.list(AT + 3000);
    expect(sampled).toMatchObject({ site: SITE, count: 2, maxMs: 12_000, lastMs: 11_000, firstSeen: AT, lastSeen: AT + 1000 });
    expect(unsampled).toMatchObject({ site: undefined, count: 1 });
  });

  it('counts a late release on its leak, which stays until it ages out', () => {
    const findings = new ConnectionFindings();
    const leak = { kind: 'pool-client-leak', pool: 'db', site: SITE, route: undefined, durationMs: 12_000, at: AT } as const;
    findings.record(leak);
    findings.releasedLate({ ...leak, durationMs: 20_000, at: AT + 8000 });
    expect(findings.list(AT + 9000)).toMatchObject([{ count: 1, releasedLate: 1, maxMs: 20_000 }]);
    expect(findings.list(AT + 8000 + FINDING_TTL_MS + 1)).toEqual([]);
  });
});

/** A pg client as the watch reads it: its ReadyForQuery status after each statement. */
class FakeClient {
  status = 'I';
  getTransactionStatus(): string {
    return this.status;
  }
}

function watch(settings = { longTransactionMs: 100, idleInTransactionMs: 50 }) {
  const findings = new ConnectionFindings();
  const instruments: TransactionInstruments & { duration: PreAggregatedHistogram; long: ReturnType<typeof countingCounter>; idle: ReturnType<typeof countingCounter> } = {
    duration: new PreAggregatedHistogram(METRICS.transactionDuration),
    long: countingCounter(),
    idle: countingCounter(),
  };
  return { findings, instruments, transactions: new TransactionWatch(() => settings, () => instruments, findings) };
}

describe('TransactionWatch', () => {
  it('times a transaction from the statement that opened it to the one that ended it, and reports it when long', () => {
    const { findings, instruments, transactions } = watch();
    const client = new FakeClient();
    client.status = 'T';
    transactions.observe(client, 1000, 1001, SITE, { key: 'req-1', http: true, route: () => 'POST /orders' });
    transactions.observe(client, 1010, 1020, undefined, undefined);
    client.status = 'I';
    transactions.observe(client, 1030, 1150, undefined, undefined);
    const [series] = [...instruments.duration.series()];
    expect(series).toMatchObject({ count: 1, sum: 0.15 });
    expect(instruments.long.total).toBe(1);
    expect(findings.list(Date.now())).toMatchObject([{ kind: 'long-transaction', pool: 'none', site: SITE, route: 'POST /orders', count: 1, maxMs: 150 }]);
  });

  it('reports a client idle between two statements of a transaction, and one idle right now, once', () => {
    const { findings, instruments, transactions } = watch({ longTransactionMs: 10_000, idleInTransactionMs: 50 });
    const client = new FakeClient();
    client.status = 'T';
    transactions.observe(client, 0, 1, SITE, undefined);
    transactions.observe(client, 80, 81, undefined, undefined);
    expect(instruments.idle.total).toBe(1);
    transactions.check(200);
    transactions.check(300);
    expect(instruments.idle.total).toBe(2);
    expect(findings.list(Date.now())).toMatchObject([{ kind: 'idle-in-transaction', count: 2, maxMs: 119 }]);
  });

  it('costs nothing but a status read outside transactions, and stops watching an ended one', () => {
    const { findings, instruments, transactions } = watch();
    const client = new FakeClient();
    for (let index = 0; index < 5; index += 1) transactions.observe(client, index, index + 500, undefined, undefined);
    transactions.check(10_000);
    expect([...instruments.duration.series()]).toEqual([]);
    expect(findings.list(Date.now())).toEqual([]);
  });

  it('captures the next transaction starts\' sites after a finding without one', () => {
    const { transactions } = watch({ longTransactionMs: 10, idleInTransactionMs: 10_000 });
    expect(transactions.wantsSite('BEGIN')).toBe(false);
    const client = new FakeClient();
    client.status = 'T';
    transactions.observe(client, 0, 1, undefined, undefined);
    transactions.check(50);
    expect(transactions.wantsSite('BEGIN')).toBe(true);
    expect(transactions.wantsSite('  start transaction isolation level serializable')).toBe(true);
    expect(transactions.wantsSite('SELECT 1')).toBe(false);
  });
});
