/** Median of a non-empty list. */
export function median(values: number[]): number {
  if (values.length === 0) {
    return NaN;
  }
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** A line `fixed + perItem * n` through two measurements. */
export interface Linear {
  readonly fixed: number;
  readonly perItem: number;
}

/** The line through (n1, y1) and (n2, y2). */
export function line(n1: number, y1: number, n2: number, y2: number): Linear {
  const perItem = (y2 - y1) / (n2 - n1);
  return { fixed: y1 - perItem * n1, perItem };
}

/** The largest n >= 0 for which every `fixed + perItem * n` stays within its limit. */
export function fits(constraints: Array<{ readonly cost: Linear; readonly limit: number }>): number {
  let best = Infinity;
  for (const { cost, limit } of constraints) {
    if (cost.perItem <= 0) {
      continue;
    }
    best = Math.min(best, Math.floor((limit - cost.fixed) / cost.perItem + 1e-9));
  }
  return Math.max(0, best);
}

export function ratio(a: number, b: number): number {
  return b === 0 ? NaN : a / b;
}

export function fixed(value: number, digits = 2): string {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}

/** 53 412 → "52.2 KiB". */
export function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}
