/**
 * Renders a generated Grafana dashboard as a static HTML page from real Prometheus data
 * (query_range per target), laid out by the panels' gridPos: what the dashboard shows,
 * without a Grafana server. Used to take the pictures in docs/images/.
 */

interface Target { refId: string; expr: string; legendFormat?: string }
interface Panel {
  type: string; title: string; description?: string;
  gridPos: { x: number; y: number; w: number; h: number };
  fieldConfig?: {
    defaults?: { unit?: string };
    overrides?: { matcher: { options: string }; properties: { id: string; value: string }[] }[];
  };
  targets?: Target[];
}
export interface DashboardJson { title: string; panels: Panel[] }

export interface RangeSeries { metric: Record<string, string>; values: [number, string][] }
export type RangeQuery = (expr: string) => Promise<RangeSeries[]>;

const ROW_PX = 30;
const COLORS = ['#7eb26d', '#eab839', '#6ed0e0', '#ef843c', '#e24d42', '#1f78c1', '#ba43a9', '#705da0'];

function legend(format: string | undefined, metric: Record<string, string>): string {
  if (!format || format === '__auto') {
    const labels = Object.entries(metric).map(([k, v]) => `${k}=${v}`).join(', ');
    return labels || 'value';
  }
  return format.replace(/\{\{\s*(\w+)\s*\}\}/g, (_m, name: string) => metric[name] ?? '');
}

export function formatValue(value: number, unit: string): string {
  if (!Number.isFinite(value)) return '–';
  const fixed = (n: number) => (Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2));
  switch (unit) {
    case 's': return value < 1 ? `${fixed(value * 1000)} ms` : `${fixed(value)} s`;
    case 'percentunit': return `${fixed(value * 100)}%`;
    case 'bytes': return value >= 2 ** 20 ? `${fixed(value / 2 ** 20)} MiB` : `${fixed(value / 1024)} KiB`;
    case 'ops': case 'cps': return `${fixed(value)}/s`;
    default: return fixed(value);
  }
}

const escape = (text: string) => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);

interface Drawn { name: string; points: [number, number][] }

/** Grafana's merge transformation: one row per label set, one column per query (its legend and unit). */
function tableHtml(panel: Panel, results: { target: Target; series: RangeSeries }[], unit: string): string {
  const targets = panel.targets ?? [];
  const unitOf = (refId: string) => panel.fieldConfig?.overrides?.find((o) => o.matcher.options === refId)
    ?.properties.find((p) => p.id === 'unit')?.value ?? unit;
  const rows = new Map<string, Map<string, number>>();
  for (const { target, series } of results) {
    const key = Object.entries(series.metric).map(([k, v]) => `${k}=${v}`).join(' ');
    const row = rows.get(key) ?? new Map<string, number>();
    row.set(target.refId, Number(series.values[series.values.length - 1]?.[1]));
    rows.set(key, row);
  }
  if (rows.size === 0) return '<div class="nodata">No data</div>';
  const head = `<tr><th>labels</th>${targets.map((t) => `<th>${escape(t.legendFormat ?? t.refId)}</th>`).join('')}</tr>`;
  const body = [...rows].slice(0, 8).map(([key, row]) => `<tr><td>${escape(key.slice(0, 110))}</td>${targets.map((t) =>
    `<td>${escape(formatValue(row.get(t.refId) ?? Number.NaN, unitOf(t.refId)))}</td>`).join('')}</tr>`).join('');
  return `<table>${head}${body}</table>`;
}

function chart(series: Drawn[], unit: string, width: number, height: number): string {
  const all = series.flatMap((s) => s.points).filter(([, v]) => Number.isFinite(v));
  if (all.length === 0) return '<div class="nodata">No data</div>';
  const [t0, t1] = [Math.min(...all.map(([t]) => t)), Math.max(...all.map(([t]) => t))];
  const vmax = Math.max(...all.map(([, v]) => v), 0);
  const vmin = Math.min(...all.map(([, v]) => v), 0);
  const span = vmax - vmin || 1;
  const x = (t: number) => 40 + ((t - t0) / (t1 - t0 || 1)) * (width - 50);
  const y = (v: number) => 8 + (1 - (v - vmin) / span) * (height - 24);
  const lines = series.map((s, i) => `<polyline fill="none" stroke="${COLORS[i % COLORS.length]}" stroke-width="1.5" points="${
    s.points.filter(([, v]) => Number.isFinite(v)).map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(' ')}"/>`).join('');
  const axis = [vmax, (vmax + vmin) / 2, vmin].map((v) =>
    `<text x="36" y="${y(v) + 4}" text-anchor="end">${escape(formatValue(v, unit))}</text><line x1="40" x2="${width - 10}" y1="${y(v)}" y2="${y(v)}" class="grid"/>`).join('');
  return `<svg width="${width}" height="${height}">${axis}${lines}</svg>`;
}

async function panelHtml(panel: Panel, query: RangeQuery, widthPx: number, heightPx: number): Promise<string> {
  const unit = panel.fieldConfig?.defaults?.unit ?? 'short';
  const results = await Promise.all((panel.targets ?? []).map(async (t) =>
    (await query(t.expr)).map((s) => ({ target: t, series: s }))));
  const drawn: Drawn[] = results.flat().map(({ target, series }) => ({
    name: legend(target.legendFormat, series.metric),
    points: series.values.map(([t, v]) => [t, Number(v)] as [number, number]),
  }));
  const last = (d: Drawn) => d.points[d.points.length - 1]?.[1] ?? Number.NaN;
  let body: string;
  if (panel.type === 'stat') {
    const value = drawn.length > 0 ? last(drawn[0] as Drawn) : Number.NaN;
    body = `<div class="stat">${escape(formatValue(value, unit))}</div>`;
  } else if (panel.type === 'table') {
    body = tableHtml(panel, results.flat(), unit);
  } else {
    const legendHtml = drawn.slice(0, 6).map((d, i) =>
      `<span><i style="background:${COLORS[i % COLORS.length]}"></i>${escape(d.name.slice(0, 40))}</span>`).join('');
    body = `${chart(drawn, unit, widthPx - 16, heightPx - 70)}<div class="legend">${legendHtml}</div>`;
  }
  return `<h3 title="${escape(panel.description ?? '')}">${escape(panel.title)}</h3>${body}`;
}

export async function renderDashboardHtml(dashboard: DashboardJson, query: RangeQuery, pageWidth = 1600): Promise<string> {
  const col = pageWidth / 24;
  const blocks: string[] = [];
  let bottom = 0;
  for (const panel of dashboard.panels) {
    const { x, y, w, h } = panel.gridPos;
    const style = `left:${x * col}px;top:${y * ROW_PX}px;width:${w * col - 6}px;height:${h * ROW_PX - 6}px`;
    bottom = Math.max(bottom, (y + h) * ROW_PX);
    blocks.push(panel.type === 'row'
      ? `<div class="row" style="${style}">${escape(panel.title)}</div>`
      : `<div class="panel" style="${style}">${await panelHtml(panel, query, w * col - 6, h * ROW_PX - 6)}</div>`);
  }
  return `<!doctype html><html><head><meta charset="utf-8"><style>
body{margin:0;background:#111217;color:#ccccdc;font:12px Inter,Helvetica,Arial,sans-serif}
header{padding:10px 14px;font-size:18px}
main{position:relative;margin:0 8px;height:${bottom}px}
.panel{position:absolute;background:#181b1f;border:1px solid #2c3235;border-radius:2px;overflow:hidden;padding:4px 8px;box-sizing:border-box}
.row{position:absolute;font-size:15px;font-weight:600;padding-top:6px}
h3{margin:0 0 4px;font-size:13px;font-weight:500}
svg text{fill:#8e8e8e;font-size:10px} .grid{stroke:#2c3235}
.stat{font-size:34px;color:#73bf69;padding-top:8px}
.nodata{color:#8e8e8e;padding-top:30px;text-align:center}
.legend span{margin-right:10px;white-space:nowrap} .legend i{display:inline-block;width:10px;height:3px;margin-right:4px;vertical-align:middle}
table{width:100%;border-collapse:collapse} td,th{border-bottom:1px solid #2c3235;padding:3px;font-size:11px;text-align:left} th{color:#8e8e8e;font-weight:500}
</style></head><body><header>${escape(dashboard.title)}</header><main>${blocks.join('\n')}</main></body></html>`;
}
