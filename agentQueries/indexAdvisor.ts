/**
 * The index advisor's database work, on the EXPLAIN runner's own connection
 * (read-only session, statement_timeout): for a plan with a filtered
 * sequential scan of a big table, the candidate indexes of the statement
 * (sql/advice/) that name only columns of their table (pg_attribute) and
 * that no existing index covers, each costed
 * - with HypoPG when the database has the extension: `hypopg_create_index`,
 *   EXPLAIN with the statement's own values, `hypopg_reset` (hypothetical
 *   indexes live in this backend's memory only: nothing is written);
 * - else from `pg_stats` and the table's size (`statistics`: unverified).
 * Kept: candidates that cut the statement's estimated cost by `minGain`.
 */
import { reportAgentError } from '../core/agentErrors';
import type { PgNode } from '../sql/rule';
import { sqlParser } from '../sql/parse/parser';
import { planNodes, readPlan, type PlanNode } from '../sql/plan/planNode';
import { indexCandidates } from '../sql/advice/indexCandidates';
import { isCovered, type ExistingIndex } from '../sql/advice/indexCoverage';
import { estimatedCostAfter, type ColumnStatistics, type TableFigures } from '../sql/advice/statisticsEstimate';
import {
  createIndexStatement, hypotheticalIndexStatement, quoteQualified, type IndexAdvice, type IndexCandidate,
} from '../sql/advice/indexCandidate';
import { agentQuery, type AgentQueryConfig } from './agentQuery';

/** `auto`: HypoPG where installed, else statistics; `hypopg`: verified suggestions only. */
export type IndexAdvisorMode = 'auto' | 'hypopg';

export interface IndexAdvisorSettings {
  readonly mode: IndexAdvisorMode;
  /** Tables with fewer rows (the larger of reltuples and n_live_tup) get no suggestion. */
  readonly minRows: number;
  /** Fraction of the statement's cost a suggestion must cut (Dexter: 0.5). */
  readonly minGain: number;
  /** Candidates costed per statement, at most. */
  readonly maxCandidates: number;
}

export const DEFAULT_INDEX_ADVISOR: IndexAdvisorSettings = { mode: 'auto', minRows: 10_000, minGain: 0.5, maxCandidates: 8 };

export interface AdvisorClient {
  query(config: AgentQueryConfig): Promise<{ rows: readonly Record<string, unknown>[] }>;
}

export interface AdviceRequest {
  readonly text: string;
  readonly values: readonly unknown[] | undefined;
}

interface TableFacts extends TableFigures {
  readonly indexes: readonly ExistingIndex[];
  /** The table's own columns (pg_attribute), to drop a candidate naming one it lacks. */
  readonly columns: ReadonlySet<string>;
}

const TABLE_FACTS_SQL = `SELECT t.name AS name, c.reltuples::float8 AS rows, c.relpages::float8 AS pages,
  COALESCE(s.n_live_tup, 0)::float8 AS live_rows,
  COALESCE((SELECT json_agg(json_build_object(
      'columns', (SELECT json_agg(a.attname ORDER BY k.ord) FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
                  LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum WHERE k.ord <= i.indnkeyatts),
      'partial', i.indpred IS NOT NULL,
      'method', am.amname))
    FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = ic.relam
    WHERE i.indrelid = c.oid AND i.indisvalid), '[]'::json) AS indexes,
  COALESCE((SELECT json_agg(a.attname) FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '[]'::json) AS columns
  FROM unnest($1::text[]) AS t(name) JOIN pg_class c ON c.oid = to_regclass(t.name)
  LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid`;

const HYPOPG_SQL = `SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'hypopg') AS installed`;

const COLUMN_STATS_SQL = `SELECT s.attname::text AS column, s.null_frac::float8 AS null_fraction, s.n_distinct::float8 AS distinct
  FROM pg_stats s JOIN pg_class c ON c.relname = s.tablename
  JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = s.schemaname
  WHERE c.oid = to_regclass($1)`;

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function readIndexes(value: unknown): ExistingIndex[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item: unknown) => {
    if (typeof item !== 'object' || item === null) return [];
    const index = item as { columns?: unknown; partial?: unknown; method?: unknown };
    const columns = Array.isArray(index.columns) ? index.columns.map((column: unknown) => (typeof column === 'string' ? column : null)) : [];
    return [{ columns, partial: index.partial === true, method: typeof index.method === 'string' ? index.method : '' }];
  });
}

function readColumns(value: unknown): Set<string> {
  return new Set(Array.isArray(value) ? value.filter((column: unknown): column is string => typeof column === 'string') : []);
}

async function tableFacts(client: AdvisorClient, tables: readonly string[]): Promise<Map<string, TableFacts>> {
  const { rows } = await client.query(agentQuery(TABLE_FACTS_SQL, [tables.map(quoteQualified)]));
  const facts = new Map<string, TableFacts>();
  for (const table of tables) {
    const row = rows.find((candidate) => candidate.name === quoteQualified(table));
    if (row !== undefined) facts.set(table, { rows: Math.max(num(row.rows), num(row.live_rows)), pages: num(row.pages), indexes: readIndexes(row.indexes), columns: readColumns(row.columns) });
  }
  return facts;
}

/** The plan's relation name for a table as written: the part after the schema. */
function relationName(table: string): string {
  return table.split('.').at(-1) ?? table;
}

function singleStatement(text: string): PgNode | undefined {
  const parser = sqlParser();
  if (parser === undefined) return undefined;
  try {
    const { stmts } = parser.parse(text);
    return stmts.length === 1 ? stmts[0].stmt : undefined;
  } catch {
    return undefined;
  }
}

async function planCost(client: AdvisorClient, request: AdviceRequest): Promise<PlanNode | undefined> {
  const { rows } = await client.query(agentQuery(`EXPLAIN (FORMAT JSON) ${request.text}`, request.values));
  return readPlan(rows[0]?.['QUERY PLAN'])?.root;
}

/** The cost with one hypothetical index, or undefined when the planner does not use it (or HypoPG refuses it). */
async function hypotheticalCost(client: AdvisorClient, request: AdviceRequest, candidate: IndexCandidate): Promise<number | undefined> {
  // HypoPG refusing this candidate (a column type B-tree has no operator class for, say) rules out that candidate only.
  const cost = await costWithHypotheticalIndex(client, request, candidate).catch(() => undefined);
  await resetHypotheticalIndexes(client);
  return cost;
}

async function costWithHypotheticalIndex(client: AdvisorClient, request: AdviceRequest, candidate: IndexCandidate): Promise<number | undefined> {
  const { rows } = await client.query(agentQuery('SELECT indexrelid::int8::text AS id FROM hypopg_create_index($1)', [hypotheticalIndexStatement(candidate)]));
  const id = rows[0]?.id;
  const root = await planCost(client, request);
  if (root === undefined || typeof id !== 'string') return undefined;
  const used = planNodes(root).some((node) => node.indexName?.startsWith(`<${id}>`) === true);
  return used ? root.totalCost : undefined;
}

/**
 * Drops this backend's hypothetical indexes. A failure is reported and ends the
 * statement's advice: an index left behind would lower the next candidates'
 * costs, and the runner closes the connection on a failure, which drops it.
 */
async function resetHypotheticalIndexes(client: AdvisorClient): Promise<void> {
  try {
    await client.query(agentQuery('SELECT hypopg_reset()'));
  } catch (error) {
    reportAgentError('explain', error);
    throw error;
  }
}

async function columnStatistics(client: AdvisorClient, table: string): Promise<Map<string, ColumnStatistics>> {
  const { rows } = await client.query(agentQuery(COLUMN_STATS_SQL, [quoteQualified(table)]));
  return new Map(rows.flatMap((row) => (typeof row.column === 'string' ? [[row.column, { nullFraction: num(row.null_fraction), distinct: num(row.distinct) }] as const] : [])));
}

/**
 * True when every column the candidate names is one of the table's. The parse
 * tree cannot always tell which FROM item an unqualified column belongs to
 * (a subquery's or a function's output is no table to it): the catalogue can.
 */
function namesOnlyColumnsOf(candidate: IndexCandidate, columns: ReadonlySet<string>): boolean {
  return [...candidate.columns.map((column) => column.name), ...candidate.where.map((predicate) => predicate.column)].every((name) => columns.has(name));
}

/** The candidates of the statement worth costing: on a big table the plan scans with a filter, naming only its columns, not covered by an index it has. */
async function worthCosting(client: AdvisorClient, statement: PgNode, scans: readonly PlanNode[], settings: IndexAdvisorSettings): Promise<{ candidates: IndexCandidate[]; facts: Map<string, TableFacts> }> {
  const scanned = new Set(scans.map((scan) => scan.relation));
  const onScanned = indexCandidates(statement).filter((candidate) => scanned.has(relationName(candidate.table)));
  if (onScanned.length === 0) return { candidates: [], facts: new Map() };
  const facts = await tableFacts(client, [...new Set(onScanned.map((candidate) => candidate.table))]);
  const candidates = onScanned.filter((candidate) => {
    const table = facts.get(candidate.table);
    return table !== undefined && table.rows >= settings.minRows && namesOnlyColumnsOf(candidate, table.columns) && !isCovered(table.indexes, candidate);
  });
  return { candidates: candidates.slice(0, settings.maxCandidates), facts };
}

async function hypopgInstalled(client: AdvisorClient): Promise<boolean> {
  const { rows } = await client.query(agentQuery(HYPOPG_SQL));
  return rows[0]?.installed === true;
}

/** Suggestions for one explained statement, best first; empty when nothing pays. */
export async function adviseIndexes(client: AdvisorClient, request: AdviceRequest, plan: unknown, settings: IndexAdvisorSettings): Promise<IndexAdvice[]> {
  const root = readPlan(plan)?.root;
  const scans = root === undefined ? [] : planNodes(root).filter((node) => node.nodeType === 'Seq Scan' && node.hasFilter && node.relation !== undefined);
  const statement = scans.length === 0 ? undefined : singleStatement(request.text);
  if (root === undefined || statement === undefined) return [];
  const { candidates, facts } = await worthCosting(client, statement, scans, settings);
  if (candidates.length === 0) return [];
  const verified = await hypopgInstalled(client);
  if (!verified && settings.mode === 'hypopg') return [];
  const costBefore = root.totalCost;
  const stats = new Map<string, Map<string, ColumnStatistics>>();
  const advice: IndexAdvice[] = [];
  for (const candidate of candidates) {
    let costAfter: number | undefined;
    if (verified) {
      costAfter = await hypotheticalCost(client, request, candidate);
    } else {
      const columns = stats.get(candidate.table) ?? await columnStatistics(client, candidate.table);
      stats.set(candidate.table, columns);
      const scanCost = scans.find((scan) => scan.relation === relationName(candidate.table))?.totalCost ?? costBefore;
      const table = facts.get(candidate.table) ?? { rows: 0, pages: 0 };
      costAfter = estimatedCostAfter(costBefore, scanCost, candidate, table, (column) => columns.get(column));
    }
    if (costAfter !== undefined && costAfter <= costBefore * (1 - settings.minGain)) {
      advice.push({ candidate, ddl: createIndexStatement(candidate), costBefore, costAfter, method: verified ? 'hypopg' : 'statistics' });
    }
  }
  return advice.sort((a, b) => a.costAfter - b.costAfter || a.candidate.columns.length - b.candidate.columns.length);
}
