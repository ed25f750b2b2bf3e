/**
 * Charts for the status page as inline SVG, drawn on the server: no script,
 * no external file, nothing the page's Content-Security-Policy has to allow.
 * Each mark carries its value (`data-value`) and a `<title>` the browser
 * shows on hover, so what a chart shows can be read back exactly.
 */
import { escapeHtml } from './escapeHtml';

/** One slot per bucket of the window; `undefined` where nothing was counted. */
export type SlotValues = readonly (number | undefined)[];

export interface ChartSeries {
  readonly name: string;
  /** CSS class of the series' marks (pageStyle.ts). */
  readonly className: string;
  readonly values: SlotValues;
}

export interface ChartFrame {
  /** Accessible name of the chart, and its caption. */
  readonly title: string;
  /** Label of each slot (`10:42`), as many as the series have values. */
  readonly labels: readonly string[];
  readonly format: (value: number) => string;
  readonly width: number;
  readonly height: number;
  /** The top of the y axis when the data must not set it (a ratio's 1). */
  readonly yMax?: number;
}

const MARGIN = { left: 52, right: 8, top: 8, bottom: 18 } as const;
const SPARK_BAR_GAP = 0.5;

/** The largest value, rounded up to 1, 2 or 5 × a power of ten, so the axis reads well. */
export function niceCeiling(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 5, 10].find((factor) => factor * power >= value) ?? 10;
  return step * power;
}

function largest(series: readonly ChartSeries[]): number {
  let max = 0;
  for (const { values } of series) for (const value of values) if (value !== undefined && value > max) max = value;
  return max;
}

function round(value: number): string {
  return String(Math.round(value * 100) / 100);
}

interface Plot {
  readonly x: (slot: number) => number;
  readonly y: (value: number) => number;
  readonly slotWidth: number;
  readonly yMax: number;
}

function plotOf(frame: ChartFrame, series: readonly ChartSeries[]): Plot {
  const width = frame.width - MARGIN.left - MARGIN.right;
  const height = frame.height - MARGIN.top - MARGIN.bottom;
  const slotWidth = width / Math.max(1, frame.labels.length);
  const yMax = frame.yMax ?? niceCeiling(largest(series));
  return {
    x: (slot) => MARGIN.left + slot * slotWidth,
    y: (value) => MARGIN.top + height - (Math.min(value, yMax) / yMax) * height,
    slotWidth,
    yMax,
  };
}

function mark(tag: string, attributes: string, series: ChartSeries, label: string, value: number, frame: ChartFrame): string {
  const title = `${label} · ${series.name}: ${frame.format(value)}`;
  return `<${tag} class="${escapeHtml(series.className)}" data-series="${escapeHtml(series.name)}" data-slot="${escapeHtml(label)}" data-value="${escapeHtml(value)}" ${attributes}><title>${escapeHtml(title)}</title></${tag}>`;
}

function axes(frame: ChartFrame, plot: Plot): string {
  const bottom = frame.height - MARGIN.bottom;
  const right = frame.width - MARGIN.right;
  const first = frame.labels[0] ?? '';
  const last = frame.labels[frame.labels.length - 1] ?? '';
  return `<line class="axis" x1="${MARGIN.left}" y1="${MARGIN.top}" x2="${MARGIN.left}" y2="${bottom}"/>`
    + `<line class="axis" x1="${MARGIN.left}" y1="${bottom}" x2="${right}" y2="${bottom}"/>`
    + `<text class="axis-label" x="${MARGIN.left - 4}" y="${MARGIN.top + 8}" text-anchor="end">${escapeHtml(frame.format(plot.yMax))}</text>`
    + `<text class="axis-label" x="${MARGIN.left - 4}" y="${bottom}" text-anchor="end">0</text>`
    + `<text class="axis-label" x="${MARGIN.left}" y="${frame.height - 4}">${escapeHtml(first)}</text>`
    + `<text class="axis-label" x="${right}" y="${frame.height - 4}" text-anchor="end">${escapeHtml(last)}</text>`;
}

function legend(series: readonly ChartSeries[]): string {
  if (series.length < 2) return '';
  return ` <span class="legend">${series.map((item) => `<span class="key ${escapeHtml(item.className)}">■</span> ${escapeHtml(item.name)}`).join(' ')}</span>`;
}

function figure(frame: ChartFrame, series: readonly ChartSeries[], marks: string, plot: Plot): string {
  const svg = `<svg class="chart" role="img" aria-label="${escapeHtml(frame.title)}" width="${frame.width}" height="${frame.height}" viewBox="0 0 ${frame.width} ${frame.height}" xmlns="http://www.w3.org/2000/svg">`
    + `${axes(frame, plot)}${marks}</svg>`;
  return `<figure class="chart"><figcaption>${escapeHtml(frame.title)}${legend(series)}</figcaption>${svg}</figure>`;
}

/** One bar per slot with a value, from the baseline up to it. */
export function barChart(frame: ChartFrame, series: ChartSeries): string {
  const plot = plotOf(frame, [series]);
  const bottom = plot.y(0);
  const marks = series.values.map((value, slot) => {
    if (value === undefined) return '';
    const top = plot.y(value);
    const attributes = `x="${round(plot.x(slot) + SPARK_BAR_GAP)}" y="${round(top)}" width="${round(Math.max(0.5, plot.slotWidth - 2 * SPARK_BAR_GAP))}" height="${round(bottom - top)}"`;
    return mark('rect', attributes, series, frame.labels[slot] ?? '', value, frame);
  }).join('');
  return figure(frame, [series], marks, plot);
}

/** One line per series through the slots with a value (broken where a slot has none), a dot on each. */
export function lineChart(frame: ChartFrame, series: readonly ChartSeries[]): string {
  const plot = plotOf(frame, series);
  const marks = series.map((item) => {
    const segments: string[][] = [[]];
    const dots: string[] = [];
    item.values.forEach((value, slot) => {
      if (value === undefined) {
        segments.push([]);
        return;
      }
      const x = round(plot.x(slot) + plot.slotWidth / 2);
      const y = round(plot.y(value));
      segments[segments.length - 1]!.push(`${x},${y}`);
      dots.push(mark('circle', `cx="${x}" cy="${y}" r="2"`, item, frame.labels[slot] ?? '', value, frame));
    });
    const lines = segments.filter((points) => points.length > 1).map((points) => `<polyline class="${escapeHtml(item.className)} line" points="${points.join(' ')}"/>`);
    return lines.join('') + dots.join('');
  }).join('');
  return figure(frame, series, marks, plot);
}

/** A table cell's chart: bars only, no axes, the scale set by the largest slot. */
export function sparkline(title: string, values: SlotValues, format: (value: number) => string, labels: readonly string[]): string {
  const width = 120;
  const height = 24;
  const max = Math.max(...values.map((value) => value ?? 0));
  const slotWidth = width / Math.max(1, values.length);
  const bars = values.map((value, slot) => {
    if (value === undefined || max <= 0) return '';
    const barHeight = Math.max(1, (value / max) * height);
    const label = labels[slot] ?? '';
    return `<rect class="spark" data-slot="${escapeHtml(label)}" data-value="${escapeHtml(value)}" x="${round(slot * slotWidth)}" y="${round(height - barHeight)}" width="${round(Math.max(0.5, slotWidth - SPARK_BAR_GAP))}" height="${round(barHeight)}">`
      + `<title>${escapeHtml(`${label}: ${format(value)}`)}</title></rect>`;
  }).join('');
  return `<svg class="spark" role="img" aria-label="${escapeHtml(title)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" xmlns="http://www.w3.org/2000/svg">`
    + `<line class="axis" x1="0" y1="${height - 0.5}" x2="${width}" y2="${height - 0.5}"/>${bars}</svg>`;
}
