import { Measurements, rowsOf } from './report';
import { CDKP_CPU_RATIO_TARGET } from './targets';

/**
 * The benchmark chart, as plain SVG (no dependencies): per construct, the median CPU time of
 * synthesis of ours, the hand-written and the CDK Pipelines pipelines at each N (top), and
 * ours' CPU-time ratios to both and its memory ratio to hand-written, with target (a) (bottom).
 */
export function renderChart(m: Measurements): string {
  const cellW = 300;
  const cellH = 190;
  const left = 58;
  const top = 80;
  const gapX = 44;
  const gapY = 70;
  const width = left + m.constructs.length * (cellW + gapX);
  const height = top + 2 * cellH + gapY + 70;
  const colors = { ours: '#1f6fb4', hand: '#e07b18', cdkp: '#7b4fa8', memory: '#3a9a3a', target: '#c62828', grid: '#e3e3e3', axis: '#555' };
  const parts: string[] = [];
  const add = (s: string) => parts.push(s);

  add(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    'font-family="Helvetica, Arial, sans-serif" font-size="12">');
  add(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  add(text(left, 24, `cdk-delivery-pipelines: CPU time of synthesis against hand-written L2 and CDK Pipelines (${m.date})`, { size: 15, weight: 'bold' }));
  add(text(left, 42, 'median of fresh node processes; CPU time (user + system) of construct + app.synth(); lower is better', { size: 11, fill: '#666' }));

  m.constructs.forEach((c, col) => {
    const rows = rowsOf(c, m.counts);
    const x0 = left + col * (cellW + gapX);
    const xs = (i: number) => x0 + ((i + 0.5) * cellW) / rows.length;

    // Top: CPU seconds per N, all three sides (a stored run without CDK Pipelines draws two).
    const y0 = top + 10;
    const measured = (values: number[]) => values.filter(Number.isFinite);
    const { step: secondsStep, max: maxSeconds } = axis(Math.max(...measured(rows.flatMap((r) => [r.oursCpuMs, r.handCpuMs, r.cdkpCpuMs]))) / 1000);
    const ys = (s: number) => y0 + cellH - (s / maxSeconds) * cellH;
    add(text(x0, y0 - 8, `${c.construct.construct}: CPU time (s)`, { weight: 'bold' }));
    for (let t = 0; t <= maxSeconds + 1e-9; t += secondsStep) {
      add(`<line x1="${x0}" y1="${f(ys(t))}" x2="${x0 + cellW}" y2="${f(ys(t))}" stroke="${colors.grid}"/>`);
      add(text(x0 - 6, ys(t) + 4, String(Number(t.toFixed(2))), { anchor: 'end', fill: colors.axis, size: 10 }));
    }
    add(`<line x1="${x0}" y1="${y0 + cellH}" x2="${x0 + cellW}" y2="${y0 + cellH}" stroke="${colors.axis}"/>`);
    for (const [key, color] of [['oursCpuMs', colors.ours], ['handCpuMs', colors.hand], ['cdkpCpuMs', colors.cdkp]] as const) {
      if (!rows.every((r) => Number.isFinite(r[key]))) {
        continue;
      }
      const points = rows.map((r, i) => `${f(xs(i))},${f(ys(r[key] / 1000))}`).join(' ');
      add(`<polyline points="${points}" fill="none" stroke="${color}" stroke-width="2.5"/>`);
      rows.forEach((r, i) => {
        add(`<circle cx="${f(xs(i))}" cy="${f(ys(r[key] / 1000))}" r="4" fill="${color}"/>`);
        // Ours above-left of its point, hand-written below-right, CDK Pipelines above-right: the
        // three labels of one N stay apart where the points are close.
        const leftOf = key === 'oursCpuMs';
        const below = key === 'handCpuMs';
        add(text(xs(i) + (leftOf ? -7 : 7), ys(r[key] / 1000) + (below ? 14 : -7), (r[key] / 1000).toFixed(2),
          { size: 10, fill: color, anchor: leftOf ? 'end' : 'start' }));
      });
    }
    rows.forEach((r, i) => add(text(xs(i), y0 + cellH + 16, `N = ${r.count}`, { anchor: 'middle', fill: colors.axis })));

    // Bottom: ratios per N, with the time target.
    const y1 = top + cellH + gapY;
    const maxRatio = Math.max(2, Math.ceil(Math.max(...measured(rows.flatMap((r) => [r.cpuRatio, r.cdkpCpuRatio, r.memoryRatio]))) * 2) / 2);
    const yr = (v: number) => y1 + cellH - (v / maxRatio) * cellH;
    add(text(x0, y1 - 8, `${c.construct.construct}: ratios of ours`, { weight: 'bold' }));
    for (let t = 0; t <= maxRatio + 1e-9; t += 0.5) {
      add(`<line x1="${x0}" y1="${f(yr(t))}" x2="${x0 + cellW}" y2="${f(yr(t))}" stroke="${colors.grid}"/>`);
      add(text(x0 - 6, yr(t) + 4, t.toFixed(1), { anchor: 'end', fill: colors.axis, size: 10 }));
    }
    const barW = cellW / rows.length / 4.2;
    rows.forEach((r, i) => {
      const bars: Array<[number, string]> = [[r.cpuRatio, colors.hand], [r.cdkpCpuRatio, colors.cdkp], [r.memoryRatio, colors.memory]];
      bars.forEach(([v, color], j) => {
        if (!Number.isFinite(v)) {
          return;
        }
        const bx = xs(i) - 1.5 * barW + j * barW;
        add(`<rect x="${f(bx)}" y="${f(yr(v))}" width="${f(barW - 2)}" height="${f(y1 + cellH - yr(v))}" fill="${color}"/>`);
        add(text(bx + (barW - 2) / 2, yr(v) - 4, v.toFixed(2), { anchor: 'middle', size: 10, fill: color }));
      });
      add(text(xs(i), y1 + cellH + 16, `N = ${r.count}`, { anchor: 'middle', fill: colors.axis }));
    });
    add(`<line x1="${x0}" y1="${f(yr(CDKP_CPU_RATIO_TARGET))}" x2="${x0 + cellW}" y2="${f(yr(CDKP_CPU_RATIO_TARGET))}" stroke="${colors.target}" stroke-dasharray="6 4" stroke-width="1.5"/>`);
    add(`<line x1="${x0}" y1="${y1 + cellH}" x2="${x0 + cellW}" y2="${y1 + cellH}" stroke="${colors.axis}"/>`);
  });

  // Legend.
  const ly = height - 22;
  const legend: Array<[string, string, 'line' | 'box' | 'dash']> = [
    ['ours', colors.ours, 'line'],
    ['hand-written L2', colors.hand, 'line'],
    ['CDK Pipelines', colors.cdkp, 'line'],
    ['CPU ours / hand-written', colors.hand, 'box'],
    ['CPU ours / CDK Pipelines', colors.cdkp, 'box'],
    ['memory ours / hand-written', colors.memory, 'box'],
    [`target: ours / CDK Pipelines ≤ ${CDKP_CPU_RATIO_TARGET.toFixed(2)}`, colors.target, 'dash'],
  ];
  let lx = left;
  for (const [label, color, kind] of legend) {
    add(kind === 'box'
      ? `<rect x="${lx + 4}" y="${ly - 11}" width="14" height="12" fill="${color}"/>`
      : `<line x1="${lx}" y1="${ly - 4}" x2="${lx + 22}" y2="${ly - 4}" stroke="${color}" stroke-width="${kind === 'dash' ? 1.5 : 2.5}"` +
        `${kind === 'dash' ? ' stroke-dasharray="6 4"' : ''}/>`);
    add(text(lx + 28, ly, label, {}));
    lx += 40 + label.length * 6.6;
  }
  add('</svg>');
  return `${parts.join('\n')}\n`;
}

function text(x: number, y: number, content: string, o: { size?: number; weight?: string; fill?: string; anchor?: string }): string {
  const attrs = [
    `x="${f(x)}"`, `y="${f(y)}"`,
    o.size ? `font-size="${o.size}"` : '',
    o.weight ? `font-weight="${o.weight}"` : '',
    o.fill ? `fill="${o.fill}"` : '',
    o.anchor ? `text-anchor="${o.anchor}"` : '',
  ].filter(Boolean).join(' ');
  return `<text ${attrs}>${escape(content)}</text>`;
}

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function f(n: number): string {
  return n.toFixed(1);
}

/** A round axis for values up to `v`: the step and the top, at most five steps. */
function axis(v: number): { step: number; max: number } {
  if (!(v > 0)) {
    return { step: 0.25, max: 1 };
  }
  const magnitude = 10 ** Math.floor(Math.log10(v / 5));
  for (const m of [1, 2, 2.5, 5, 10, 20]) {
    const step = m * magnitude;
    if (Math.ceil(v / step - 1e-9) <= 5) {
      return { step, max: Math.ceil(v / step - 1e-9) * step };
    }
  }
  return { step: v / 5, max: v };
}
