// A small hand-written SVG line plot (train/validation loss per epoch); no plotting dependency.

export interface Series {
  name: string;
  color: string;
  values: number[];
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function lossSvg(title: string, series: Series[], opts: { width?: number; height?: number; marker?: number } = {}): string {
  const W = opts.width ?? 640, H = opts.height ?? 360;
  const L = 60, R = 20, T = 40, B = 50;
  const all = series.flatMap((s) => s.values).filter(Number.isFinite);
  const n = Math.max(2, ...series.map((s) => s.values.length));
  let lo = all.length ? Math.min(...all) : 0;
  let hi = all.length ? Math.max(...all) : 1;
  if (hi - lo < 1e-9) (hi += 0.5), (lo -= 0.5);
  const pad = (hi - lo) * 0.05;
  lo -= pad;
  hi += pad;
  const x = (i: number) => L + ((W - L - R) * i) / (n - 1);
  const y = (v: number) => T + ((H - T - B) * (hi - v)) / (hi - lo);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="14">${esc(title)}</text>`,
  ];
  for (let k = 0; k <= 5; k++) {
    const v = lo + ((hi - lo) * k) / 5;
    out.push(`<line x1="${L}" x2="${W - R}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${L - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${v.toFixed(3)}</text>`);
  }
  const step = Math.max(1, Math.ceil(n / 10));
  for (let i = 0; i < n; i += step) out.push(`<text x="${x(i).toFixed(1)}" y="${H - B + 18}" text-anchor="middle">${i + 1}</text>`);
  out.push(`<text x="${(L + W - R) / 2}" y="${H - 10}" text-anchor="middle">epoch</text>`);
  out.push(`<line x1="${L}" x2="${L}" y1="${T}" y2="${H - B}" stroke="#333"/><line x1="${L}" x2="${W - R}" y1="${H - B}" y2="${H - B}" stroke="#333"/>`);
  if (opts.marker !== undefined) {
    const mx = x(opts.marker).toFixed(1);
    out.push(`<line x1="${mx}" x2="${mx}" y1="${T}" y2="${H - B}" stroke="#999" stroke-dasharray="4 3"/><text x="${mx}" y="${T - 4}" text-anchor="middle" fill="#666">best</text>`);
  }
  series.forEach((s, k) => {
    const pts = s.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${pts}"/>`);
    out.push(`<rect x="${W - R - 150}" y="${T + 8 + k * 18}" width="14" height="3" fill="${s.color}"/><text x="${W - R - 130}" y="${T + 13 + k * 18}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
