/**
 * The pg spans' text: upstream records the raw statement, which can carry
 * literals. querylens replaces it with the normalized text, and before the SQL
 * parser has loaded (the first moments of a process) with the first keyword.
 */
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { ATTR } from '../../core/metrics/registry';
import { loadSqlParser } from '../../sql/parse/parser';
import { StatementCache } from '../../recording/statementCache';
import { annotatePgSpan } from '../../instrumentations/pg/upstreamSpans';

const exporter = new InMemorySpanExporter();
const tracer = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }).getTracer('test');
const statements = new StatementCache({ maxSqlLength: 100_000, disabledRules: new Set(), source: 'runtime' });
const TEXT = "select * from users where password = 'hunter2' and id = 42";

/** A span as upstream starts it (raw text), annotated by querylens, ended and exported. */
function exportedAttributes(): Record<string, unknown> {
  exporter.reset();
  const span = tracer.startSpan('pg.query:SELECT test', { kind: SpanKind.CLIENT, attributes: { [ATTR.dbQueryText]: TEXT } });
  annotatePgSpan(span, TEXT, statements);
  span.end();
  const [finished] = exporter.getFinishedSpans();
  return { name: finished!.name, ...finished!.attributes };
}

describe('pg span text', () => {
  it('keeps only the first keyword while the parser is loading', () => {
    const attributes = exportedAttributes();
    expect(attributes[ATTR.dbQueryText]).toBe('SELECT');
    expect(JSON.stringify(attributes)).not.toContain('hunter2');
  });

  it('carries the normalized text and the summary once the parser is ready', async () => {
    await loadSqlParser();
    const attributes = exportedAttributes();
    expect(attributes[ATTR.dbQueryText]).toBe('select * from users where password = $1 and id = $2');
    expect(attributes.name).toBe('SELECT users');
    expect(JSON.stringify(attributes)).not.toContain('hunter2');
  });
});

describe('pg span call site', () => {
  it('carries the semantic conventions\' code.* attributes for an execution whose call site was captured, and none otherwise', async () => {
    const { sendingWithCallSite } = await import('../../instrumentations/pg/sendingCallSite');
    const site = { file: 'src/orders.js', line: 42, column: 7, function: 'loadOrders' };
    const sampled = sendingWithCallSite(site, exportedAttributes);
    expect(sampled).toMatchObject({ 'code.file.path': 'src/orders.js', 'code.line.number': 42, 'code.column.number': 7, 'code.function.name': 'loadOrders' });
    expect(Object.keys(exportedAttributes()).filter((key) => key.startsWith('code.'))).toEqual([]);
  });
});
