/**
 * A dependency-free SVG line chart of the oracle over the demo week: per market a panel with the
 * index, the mark and the band, closed periods shaded, and the week's events marked. Panels stack
 * vertically and share the time axis.
 */

export interface ChartPoint {
  time: number; // unix seconds
  index: number; // USD
  mark: number;
  bandLow: number;
  bandHigh: number;
  closed: boolean; // internal (closed-market) pricing
}

/** A vertical line at `time` with a short caption (news, gap, split…). */
export interface ChartMarker {
  time: number;
  text: string;
}

export interface ChartPanel {
  title: string;
  points: readonly ChartPoint[];
  markers?: readonly ChartMarker[];
}

const WIDTH = 1200;
const PANEL_HEIGHT = 300;
const HEADER = 40;
const FOOTER = 40;
const MARGIN = { left: 70, right: 20, top: 28, bottom: 34 };

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** One market over the week in a single chart (the panel layout with one panel). */
export function renderChart(
  title: string,
  points: readonly ChartPoint[],
  label: (time: number) => string,
): string {
  return renderPanels(title, [{ title: "", points }], label);
}

/** Several markets over the same period, one panel each. */
export function renderPanels(
  title: string,
  panels: readonly ChartPanel[],
  label: (time: number) => string,
): string {
  if (panels.length === 0) throw new Error("renderPanels: no panels");
  const height = HEADER + panels.length * PANEL_HEIGHT + FOOTER;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" font-family="sans-serif">`,
  );
  parts.push(`<rect width="${WIDTH}" height="${height}" fill="white"/>`);
  parts.push(`<text x="${WIDTH / 2}" y="24" text-anchor="middle" font-size="16">${escapeXml(title)}</text>`);
  panels.forEach((panel, i) => drawPanel(parts, panel, HEADER + i * PANEL_HEIGHT, label));
  drawLegend(parts, height - 16);
  parts.push("</svg>");
  return parts.join("\n");
}

function drawPanel(parts: string[], panel: ChartPanel, top: number, label: (time: number) => string): void {
  const { points } = panel;
  const first = points[0];
  const last = points[points.length - 1];
  if (first === undefined || last === undefined) throw new Error(`chart panel "${panel.title}": no points`);
  const prices = points.flatMap((p) => [p.index, p.mark, p.bandLow, p.bandHigh]);
  const low = Math.min(...prices) * 0.99;
  const high = Math.max(...prices) * 1.01;
  const plotTop = top + MARGIN.top;
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
  const span = Math.max(1, last.time - first.time);
  const x = (time: number): number => MARGIN.left + ((time - first.time) / span) * plotWidth;
  const y = (price: number): number => plotTop + (1 - (price - low) / (high - low)) * plotHeight;
  const line = (values: readonly [number, number][]): string =>
    values.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(" ");

  if (panel.title !== "") {
    parts.push(
      `<text x="${MARGIN.left}" y="${top + 18}" font-size="14" font-weight="bold">${escapeXml(panel.title)}</text>`,
    );
  }
  // Closed periods, shaded (each closed sample covers the time until the next sample).
  points.forEach((p, i) => {
    if (!p.closed) return;
    const end = points[i + 1]?.time ?? p.time;
    parts.push(
      `<rect x="${x(p.time).toFixed(1)}" y="${plotTop}" width="${Math.max(0, x(end) - x(p.time)).toFixed(1)}" height="${plotHeight}" fill="#eef1f6"/>`,
    );
  });
  // Horizontal grid with price labels.
  for (let i = 0; i <= 4; i++) {
    const price = low + ((high - low) * i) / 4;
    const gy = y(price).toFixed(1);
    parts.push(
      `<line x1="${MARGIN.left}" y1="${gy}" x2="${WIDTH - MARGIN.right}" y2="${gy}" stroke="#ddd"/>`,
    );
    parts.push(
      `<text x="${MARGIN.left - 6}" y="${gy}" text-anchor="end" font-size="11" dy="4">${price.toFixed(2)}</text>`,
    );
  }
  // Day ticks at New York midnight (05:00 UTC in winter; the demo week has no DST switch).
  const day = 86_400;
  const offset = 5 * 3600;
  for (let t = Math.ceil((first.time - offset) / day) * day + offset; t <= last.time; t += day) {
    const gx = x(t).toFixed(1);
    parts.push(
      `<line x1="${gx}" y1="${plotTop}" x2="${gx}" y2="${plotTop + plotHeight}" stroke="#ccc" stroke-dasharray="3,3"/>`,
    );
    parts.push(
      `<text x="${gx}" y="${plotTop + plotHeight + 16}" text-anchor="middle" font-size="11">${escapeXml(label(t).slice(0, 11))}</text>`,
    );
  }
  for (const marker of panel.markers ?? []) {
    const mx = x(marker.time).toFixed(1);
    parts.push(
      `<line x1="${mx}" y1="${plotTop}" x2="${mx}" y2="${plotTop + plotHeight}" stroke="#d62728" stroke-width="1"/>`,
    );
    parts.push(
      `<text x="${mx}" y="${plotTop - 4}" text-anchor="middle" font-size="11" fill="#d62728">${escapeXml(marker.text)}</text>`,
    );
  }
  parts.push(
    `<polyline fill="none" stroke="#999" stroke-dasharray="4,3" points="${line(points.map((p) => [p.time, p.bandHigh]))}"/>`,
  );
  parts.push(
    `<polyline fill="none" stroke="#999" stroke-dasharray="4,3" points="${line(points.map((p) => [p.time, p.bandLow]))}"/>`,
  );
  parts.push(
    `<polyline fill="none" stroke="#9ecae1" stroke-width="4" points="${line(points.map((p) => [p.time, p.index]))}"/>`,
  );
  parts.push(
    `<polyline fill="none" stroke="#ff7f0e" stroke-width="1.5" points="${line(points.map((p) => [p.time, p.mark]))}"/>`,
  );
}

function drawLegend(parts: string[], ly: number): void {
  const legend = [
    ["#9ecae1", "index (external price when live)"],
    ["#ff7f0e", "mark (clamped internal price when closed)"],
    ["#999", "band (±tier live; widening around the anchor closed)"],
  ] as const;
  legend.forEach(([color, text], i) => {
    const lx = MARGIN.left + i * 290;
    parts.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 24}" y2="${ly}" stroke="${color}" stroke-width="2"/>`);
    parts.push(`<text x="${lx + 30}" y="${ly + 4}" font-size="12">${escapeXml(text)}</text>`);
  });
  parts.push(`<rect x="${WIDTH - MARGIN.right - 150}" y="${ly - 6}" width="16" height="12" fill="#eef1f6"/>`);
  parts.push(
    `<text x="${WIDTH - MARGIN.right}" y="${ly + 4}" text-anchor="end" font-size="11" fill="#666">no live source</text>`,
  );
}
