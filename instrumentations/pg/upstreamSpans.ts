/**
 * Spans for pg statements come from the upstream instrumentation, enriched
 * with what the SQL engine knows. Loaded only when traces are exported: with
 * no exporter its spans would be made for nobody, on every statement. Its
 * pg-pool patch is left out (its pool metrics are wrong with several pools
 * and its connect spans are noise); our pool proxy measures pools.
 */
import type { Span } from '@opentelemetry/api';
import { PgInstrumentation as UpstreamPgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { ATTR } from '../../core/metrics/registry';
import { guessOperation } from '../../core/keywordGuess';
import type { StatementAnalyzer } from './queryPatch';
import { callSiteBeingSent } from './sendingCallSite';
import { PG_POOL_PACKAGE } from '../../core/instrumentedPackages';

class PgSpansInstrumentation extends UpstreamPgInstrumentation {
  protected override init() {
    return super.init().filter((definition) => definition.name !== PG_POOL_PACKAGE);
  }
}

/** Names the span and replaces upstream's raw text, which can carry literals, with the normalized one. */
export function annotatePgSpan(span: Span, text: string | undefined, analyzer: StatementAnalyzer): void {
  if (!span.isRecording() || text === undefined) return;
  annotateCallSite(span);
  const analysis = analyzer.analyze(text);
  if (!analysis) {
    // The parser is still loading: only a known command word is sure to be free of literals.
    span.setAttribute(ATTR.dbQueryText, guessOperation(text));
    return;
  }
  span.updateName(analysis.summary);
  span.setAttribute(ATTR.dbQuerySummary, analysis.summary);
  span.setAttribute(ATTR.dbOperationName, analysis.operation);
  if (analysis.collection) span.setAttribute(ATTR.dbCollectionName, analysis.collection);
  span.setAttribute('querylens.fingerprint', analysis.fingerprint);
  // Upstream records the raw text; literals must never leave the process.
  span.setAttribute(ATTR.dbQueryText, analysis.normalized);
  for (const finding of analysis.findings) {
    span.addEvent('querylens.finding', { rule: finding.rule, severity: finding.severity, message: finding.message });
  }
}

/** The semantic conventions' `code.*` attributes, on the executions whose call site was captured (sampled). */
function annotateCallSite(span: Span): void {
  const site = callSiteBeingSent();
  if (site === undefined) return;
  span.setAttribute(ATTR.codeFilePath, site.file);
  span.setAttribute(ATTR.codeLineNumber, site.line);
  span.setAttribute(ATTR.codeColumnNumber, site.column);
  if (site.function !== undefined) span.setAttribute(ATTR.codeFunctionName, site.function);
}

export function createPgSpansInstrumentation(analyzer: StatementAnalyzer, sqlcommenter: boolean): UpstreamPgInstrumentation {
  return new PgSpansInstrumentation({
    requireParentSpan: false,
    // Connection spans are noise on every pool checkout; pool metrics cover them.
    ignoreConnectSpans: true,
    enhancedDatabaseReporting: false,
    addSqlCommenterCommentToQueries: sqlcommenter,
    requestHook: (span, info) => annotatePgSpan(span, info.query.text, analyzer),
  });
}
