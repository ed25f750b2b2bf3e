/**
 * The one call the fleet view makes: an instant query of the Prometheus HTTP
 * API (`GET /api/v1/query`), which Thanos Query and Mimir answer alike. Plain
 * `fetch`, no client library. A failure is a `PrometheusError` whose message
 * says what was asked of whom and what came back.
 */

export interface PrometheusTarget {
  /** The server's base URL (a path prefix kept: Mimir serves the API under `/prometheus`). */
  readonly url: URL;
  /** Sent with every request (a tenant's `X-Scope-OrgID`, an `Authorization`). */
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
}

/** One series of an instant vector: its labels and its value at the query time. */
export interface VectorSample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export class PrometheusError extends Error {
  override readonly name = 'PrometheusError';
}

interface QueryAnswer {
  readonly status?: unknown;
  readonly error?: unknown;
  readonly data?: { readonly resultType?: unknown; readonly result?: unknown };
}

export function queryUrl(target: PrometheusTarget, expr: string, at: Date): string {
  const url = new URL('api/v1/query', target.url.href.endsWith('/') ? target.url : `${target.url.href}/`);
  url.searchParams.set('query', expr);
  url.searchParams.set('time', (at.getTime() / 1000).toFixed(3));
  return url.href;
}

function causeOf(error: unknown): string {
  if (error instanceof Error && error.cause instanceof Error) return error.cause.message;
  return error instanceof Error ? error.message : String(error);
}

function sampleOf(entry: unknown): VectorSample | undefined {
  if (typeof entry !== 'object' || entry === null) return undefined;
  const { metric, value } = entry as { metric?: unknown; value?: unknown };
  if (typeof metric !== 'object' || metric === null || !Array.isArray(value) || typeof value[1] !== 'string') return undefined;
  const labels: Record<string, string> = {};
  for (const [name, text] of Object.entries(metric)) if (typeof text === 'string') labels[name] = text;
  return { labels, value: Number(value[1]) };
}

function vectorOf(answer: QueryAnswer, expr: string, base: string): VectorSample[] {
  if (answer.status !== 'success') throw new PrometheusError(`${base} refused ${expr}: ${typeof answer.error === 'string' ? answer.error : 'no error given'}`);
  if (answer.data?.resultType !== 'vector' || !Array.isArray(answer.data.result)) {
    throw new PrometheusError(`${base} answered ${expr} with a ${String(answer.data?.resultType)}, not an instant vector`);
  }
  return answer.data.result.map(sampleOf).filter((sample) => sample !== undefined);
}

/** The instant vector `expr` evaluates to at `at`. */
export async function queryVector(target: PrometheusTarget, expr: string, at: Date): Promise<VectorSample[]> {
  const base = target.url.href;
  let response: Response;
  try {
    response = await fetch(queryUrl(target, expr, at), { headers: { accept: 'application/json', ...target.headers }, signal: AbortSignal.timeout(target.timeoutMs) });
  } catch (error) {
    throw new PrometheusError(`cannot reach Prometheus at ${base}: ${causeOf(error)}`);
  }
  let answer: QueryAnswer;
  try {
    answer = await response.json() as QueryAnswer;
  } catch {
    throw new PrometheusError(`${base} answered ${response.status} ${response.statusText} without JSON; is this the Prometheus query API?`);
  }
  return vectorOf(answer, expr, base);
}
