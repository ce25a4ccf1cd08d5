/**
 * A dependency-free SVG line chart of the oracle over the demo week: the index, the mark and the
 * closed-market band, with closed periods shaded.
 */

export interface ChartPoint {
  time: number; // unix seconds
  index: number; // USD
  mark: number;
  bandLow: number;
  bandHigh: number;
  closed: boolean; // internal (closed-market) pricing
}

const WIDTH = 1200;
const HEIGHT = 520;
const MARGIN = { left: 70, right: 20, top: 40, bottom: 60 };

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function renderChart(
  title: string,
  points: readonly ChartPoint[],
  label: (time: number) => string,
): string {
  const first = points[0];
  const last = points[points.length - 1];
  if (first === undefined || last === undefined) throw new Error("renderChart: no points");
  const prices = points.flatMap((p) => [p.index, p.mark, p.bandLow, p.bandHigh]);
  const low = Math.min(...prices) * 0.99;
  const high = Math.max(...prices) * 1.01;
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (time: number): number =>
    MARGIN.left + ((time - first.time) / (last.time - first.time)) * plotWidth;
  const y = (price: number): number => MARGIN.top + (1 - (price - low) / (high - low)) * plotHeight;
  const line = (values: readonly [number, number][]): string =>
    values.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(" ");

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" font-family="sans-serif">`,
  );
  parts.push(`<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`);
  parts.push(`<text x="${WIDTH / 2}" y="24" text-anchor="middle" font-size="16">${escapeXml(title)}</text>`);

  // Closed periods, shaded.
  let runStart: number | undefined;
  points.forEach((p, i) => {
    const next = points[i + 1];
    if (p.closed && runStart === undefined) runStart = p.time;
    if (runStart !== undefined && (!p.closed || next === undefined)) {
      const end = p.closed ? p.time : p.time;
      parts.push(
        `<rect x="${x(runStart).toFixed(1)}" y="${MARGIN.top}" width="${(x(end) - x(runStart)).toFixed(1)}" height="${plotHeight}" fill="#eef1f6"/>`,
      );
      runStart = undefined;
    }
  });

  // Horizontal grid with price labels.
  for (let i = 0; i <= 5; i++) {
    const price = low + ((high - low) * i) / 5;
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
      `<line x1="${gx}" y1="${MARGIN.top}" x2="${gx}" y2="${HEIGHT - MARGIN.bottom}" stroke="#ccc" stroke-dasharray="3,3"/>`,
    );
    parts.push(
      `<text x="${gx}" y="${HEIGHT - MARGIN.bottom + 16}" text-anchor="middle" font-size="11">${escapeXml(label(t))}</text>`,
    );
  }

  const closedPoints = points.filter((p) => p.closed);
  if (closedPoints.length > 0) {
    const segments: ChartPoint[][] = [];
    let current: ChartPoint[] = [];
    points.forEach((p) => {
      if (p.closed) current.push(p);
      else if (current.length > 0) {
        segments.push(current);
        current = [];
      }
    });
    if (current.length > 0) segments.push(current);
    for (const segment of segments) {
      parts.push(
        `<polyline fill="none" stroke="#999" stroke-dasharray="4,3" points="${line(segment.map((p) => [p.time, p.bandHigh]))}"/>`,
      );
      parts.push(
        `<polyline fill="none" stroke="#999" stroke-dasharray="4,3" points="${line(segment.map((p) => [p.time, p.bandLow]))}"/>`,
      );
    }
  }
  parts.push(
    `<polyline fill="none" stroke="#9ecae1" stroke-width="4" points="${line(points.map((p) => [p.time, p.index]))}"/>`,
  );
  parts.push(
    `<polyline fill="none" stroke="#ff7f0e" stroke-width="1.5" points="${line(points.map((p) => [p.time, p.mark]))}"/>`,
  );

  const legend = [
    ["#9ecae1", "index (external price when live)"],
    ["#ff7f0e", "mark (clamped internal price when closed)"],
    ["#999", "band around the anchor (closed sessions)"],
  ] as const;
  legend.forEach(([color, text], i) => {
    const ly = HEIGHT - 18;
    const lx = MARGIN.left + i * 330;
    parts.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 24}" y2="${ly}" stroke="${color}" stroke-width="2"/>`);
    parts.push(`<text x="${lx + 30}" y="${ly + 4}" font-size="12">${escapeXml(text)}</text>`);
  });
  parts.push(
    `<text x="${WIDTH - MARGIN.right}" y="${HEIGHT - 14}" text-anchor="end" font-size="11" fill="#666">shaded: no live source</text>`,
  );
  parts.push("</svg>");
  return parts.join("\n");
}
