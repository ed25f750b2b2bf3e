/**
 * The status page's only style sheet, inline, allowed by the
 * Content-Security-Policy through its SHA-256 hash: no `unsafe-inline`, no
 * second request, and no script at all.
 */
import { createHash } from 'node:crypto';

export const PAGE_STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:0 16px 32px;color:#1d1d1f;background:#fafafa}
header{display:flex;flex-wrap:wrap;align-items:baseline;gap:16px;border-bottom:1px solid #ddd}
h1{font-size:20px;margin:12px 0}h2{font-size:16px;margin:24px 0 8px;border-bottom:1px solid #eee}
nav a,header a{margin-right:10px}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{border:1px solid #e3e3e3;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f2f2f2}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
code,pre{font:12px/1.4 ui-monospace,monospace;white-space:pre-wrap;word-break:break-word}
.overview{display:flex;flex-wrap:wrap;gap:12px;padding:0;list-style:none}
.overview li{background:#fff;border:1px solid #e3e3e3;padding:8px 12px;min-width:120px}
.overview b{display:block;font-size:18px}
.sev-error{color:#b00020;font-weight:bold}.sev-warning{color:#a15c00;font-weight:bold}.sev-info{color:#555}
.finding{background:#fff;border:1px solid #e3e3e3;padding:8px 12px;margin-bottom:8px}
.plan,.plan ul{list-style:none;padding-left:18px;margin:4px 0}.plan li{border-left:2px solid #ccd;padding-left:6px;margin:2px 0}
.muted{color:#666}.sorted{text-decoration:none;font-weight:bold}
h3{font-size:14px;margin:16px 0 6px}
.charts{display:flex;flex-wrap:wrap;gap:12px;margin:8px 0}
figure.chart{margin:0;background:#fff;border:1px solid #e3e3e3;padding:6px}
figcaption{font-size:12px;color:#444;margin-bottom:2px}
svg .axis{stroke:#bbb;stroke-width:1}svg .axis-label{font-size:10px;fill:#666}
svg .line{fill:none;stroke-width:1.5}
rect.series-a,circle.series-a,rect.spark{fill:#3b6fc4}polyline.series-a{stroke:#3b6fc4}
rect.series-b,circle.series-b{fill:#d0782c}polyline.series-b{stroke:#d0782c}
.key.series-a{color:#3b6fc4}.key.series-b{color:#d0782c}
`;

export const PAGE_STYLE_CSP_SOURCE = `'sha256-${createHash('sha256').update(PAGE_STYLE, 'utf8').digest('base64')}'`;
