/**
 * The risk–coverage plot, rasterised here (axes, grid, curves, a 5×7 bitmap font) and
 * written as PNG by ./png — eval must produce a picture without an image library.
 */
import type { RiskCoveragePoint } from './metrics';
import { encodePng } from './png';

export type Rgb = readonly [number, number, number];

export const COLORS = {
  background: [255, 255, 255],
  axis: [40, 40, 40],
  grid: [225, 225, 225],
  text: [30, 30, 30],
  sidecar: [31, 119, 180],
  base: [214, 39, 40],
  oracle: [150, 150, 150],
  point: [44, 160, 44],
} as const satisfies Record<string, Rgb>;

// ---------------------------------------------------------------- font

/* 5×7 glyphs, rows top to bottom; text is drawn upper-case. */
const GLYPHS: Record<string, string> = {
  A: '.###.|#...#|#...#|#####|#...#|#...#|#...#',
  B: '####.|#...#|#...#|####.|#...#|#...#|####.',
  C: '.###.|#...#|#....|#....|#....|#...#|.###.',
  D: '####.|#...#|#...#|#...#|#...#|#...#|####.',
  E: '#####|#....|#....|####.|#....|#....|#####',
  F: '#####|#....|#....|####.|#....|#....|#....',
  G: '.###.|#...#|#....|#.###|#...#|#...#|.###.',
  H: '#...#|#...#|#...#|#####|#...#|#...#|#...#',
  I: '.###.|..#..|..#..|..#..|..#..|..#..|.###.',
  J: '..###|...#.|...#.|...#.|...#.|#..#.|.##..',
  K: '#...#|#..#.|#.#..|##...|#.#..|#..#.|#...#',
  L: '#....|#....|#....|#....|#....|#....|#####',
  M: '#...#|##.##|#.#.#|#.#.#|#...#|#...#|#...#',
  N: '#...#|#...#|##..#|#.#.#|#..##|#...#|#...#',
  O: '.###.|#...#|#...#|#...#|#...#|#...#|.###.',
  P: '####.|#...#|#...#|####.|#....|#....|#....',
  Q: '.###.|#...#|#...#|#...#|#.#.#|#..#.|.##.#',
  R: '####.|#...#|#...#|####.|#.#..|#..#.|#...#',
  S: '.####|#....|#....|.###.|....#|....#|####.',
  T: '#####|..#..|..#..|..#..|..#..|..#..|..#..',
  U: '#...#|#...#|#...#|#...#|#...#|#...#|.###.',
  V: '#...#|#...#|#...#|#...#|#...#|.#.#.|..#..',
  W: '#...#|#...#|#...#|#.#.#|#.#.#|#.#.#|.#.#.',
  X: '#...#|#...#|.#.#.|..#..|.#.#.|#...#|#...#',
  Y: '#...#|#...#|.#.#.|..#..|..#..|..#..|..#..',
  Z: '#####|....#|...#.|..#..|.#...|#....|#####',
  '0': '.###.|#...#|#..##|#.#.#|##..#|#...#|.###.',
  '1': '..#..|.##..|..#..|..#..|..#..|..#..|.###.',
  '2': '.###.|#...#|....#|...#.|..#..|.#...|#####',
  '3': '#####|...#.|..#..|...#.|....#|#...#|.###.',
  '4': '...#.|..##.|.#.#.|#..#.|#####|...#.|...#.',
  '5': '#####|#....|####.|....#|....#|#...#|.###.',
  '6': '..##.|.#...|#....|####.|#...#|#...#|.###.',
  '7': '#####|....#|...#.|..#..|.#...|.#...|.#...',
  '8': '.###.|#...#|#...#|.###.|#...#|#...#|.###.',
  '9': '.###.|#...#|#...#|.####|....#|...#.|.##..',
  '.': '.....|.....|.....|.....|.....|.##..|.##..',
  ',': '.....|.....|.....|.....|.##..|..#..|.#...',
  '-': '.....|.....|.....|.###.|.....|.....|.....',
  '+': '.....|..#..|..#..|#####|..#..|..#..|.....',
  '=': '.....|.....|#####|.....|#####|.....|.....',
  ':': '.....|.##..|.##..|.....|.##..|.##..|.....',
  '(': '...#.|..#..|.#...|.#...|.#...|..#..|...#.',
  ')': '.#...|..#..|...#.|...#.|...#.|..#..|.#...',
  '/': '.....|....#|...#.|..#..|.#...|#....|.....',
  '%': '##...|##..#|...#.|..#..|.#...|#..##|...##',
  ' ': '.....|.....|.....|.....|.....|.....|.....',
};
const GLYPH_W = 5;
const GLYPH_H = 7;

// ---------------------------------------------------------------- raster

export class Raster {
  readonly rgb: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
    background: Rgb = COLORS.background,
  ) {
    this.rgb = new Uint8Array(width * height * 3);
    this.fillRect(0, 0, width, height, background);
  }

  setPixel(x: number, y: number, c: Rgb): void {
    x = Math.round(x);
    y = Math.round(y);
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const i = (y * this.width + x) * 3;
    this.rgb[i] = c[0];
    this.rgb[i + 1] = c[1];
    this.rgb[i + 2] = c[2];
  }

  getPixel(x: number, y: number): Rgb {
    const i = (y * this.width + x) * 3;
    return [this.rgb[i], this.rgb[i + 1], this.rgb[i + 2]];
  }

  fillRect(x: number, y: number, w: number, h: number, c: Rgb): void {
    for (let yy = Math.max(0, Math.round(y)); yy < Math.min(this.height, Math.round(y + h)); yy++) {
      for (let xx = Math.max(0, Math.round(x)); xx < Math.min(this.width, Math.round(x + w)); xx++) this.setPixel(xx, yy, c);
    }
  }

  /** A line of `thickness` pixels (square brush along Bresenham); `dash` = [on, off] lengths. */
  line(x0: number, y0: number, x1: number, y1: number, c: Rgb, thickness = 1, dash?: readonly [number, number]): void {
    let x = Math.round(x0);
    let y = Math.round(y0);
    const xe = Math.round(x1);
    const ye = Math.round(y1);
    const dx = Math.abs(xe - x);
    const dy = -Math.abs(ye - y);
    const sx = x < xe ? 1 : -1;
    const sy = y < ye ? 1 : -1;
    let err = dx + dy;
    const lo = -Math.floor((thickness - 1) / 2);
    for (let step = 0; ; step++) {
      if (!dash || step % (dash[0] + dash[1]) < dash[0]) this.fillRect(x + lo, y + lo, thickness, thickness, c);
      if (x === xe && y === ye) break;
      const e2 = 2 * err;
      if (e2 >= dy) {
        err += dy;
        x += sx;
      }
      if (e2 <= dx) {
        err += dx;
        y += sy;
      }
    }
  }

  /** Draws text with the 5×7 font at integer `scale`; returns the width drawn. */
  text(x: number, y: number, s: string, c: Rgb, scale = 2): number {
    let cx = x;
    for (const ch of s.toUpperCase()) {
      const rows = (GLYPHS[ch] ?? GLYPHS[' ']).split('|');
      rows.forEach((row, ry) => {
        for (let rx = 0; rx < GLYPH_W; rx++) if (row[rx] === '#') this.fillRect(cx + rx * scale, y + ry * scale, scale, scale, c);
      });
      cx += (GLYPH_W + 1) * scale;
    }
    return cx - x;
  }

  static textWidth(s: string, scale = 2): number {
    return [...s].length * (GLYPH_W + 1) * scale;
  }

  static textHeight(scale = 2): number {
    return GLYPH_H * scale;
  }

  toPng(): Buffer {
    return encodePng(this.width, this.height, this.rgb);
  }
}

// ---------------------------------------------------------------- chart

export interface RiskCoveragePlotOptions {
  /** The sidecar's risk–coverage curve (see metrics.riskCoverageCurve). */
  curve: readonly RiskCoveragePoint[];
  /** Error rate of the base answering everything: the risk of abstaining at random. */
  baseRisk?: number | null;
  /** Where the sidecar actually operates: its coverage and the risk on what it answered. */
  operatingPoint?: { coverage: number; risk: number } | null;
  title?: string;
  width?: number;
  height?: number;
}

/** Plot-area layout in pixels, exported so tests can find where a value lands. */
export interface PlotFrame {
  left: number;
  top: number;
  right: number;
  bottom: number;
  yMax: number;
  px(coverage: number): number;
  py(risk: number): number;
}

export function riskCoverageFrame(width: number, height: number, yMax: number): PlotFrame {
  const left = 80;
  const top = 50;
  const right = width - 30;
  const bottom = height - 70;
  return {
    left,
    top,
    right,
    bottom,
    yMax,
    px: (c) => left + c * (right - left),
    py: (r) => bottom - (Math.min(r, yMax) / yMax) * (bottom - top),
  };
}

/** The smallest of 0.1, 0.2, 0.25, 0.5, 0.75, 1 that holds every risk drawn. */
export function niceRiskMax(maxRisk: number): number {
  for (const m of [0.1, 0.2, 0.25, 0.5, 0.75, 1]) if (maxRisk <= m + 1e-12) return m;
  return 1;
}

/** Oracle curve: a perfect ranking answers every question the base knows first. */
function oracleCurve(baseRisk: number): Array<[number, number]> {
  const acc = 1 - baseRisk;
  const pts: Array<[number, number]> = [
    [0, 0],
    [acc, 0],
  ];
  for (let i = 1; i <= 20; i++) {
    const c = acc + ((1 - acc) * i) / 20;
    pts.push([c, (c - acc) / c]);
  }
  return pts;
}

export function plotRiskCoverage(options: RiskCoveragePlotOptions): Buffer {
  const { curve, baseRisk = null, operatingPoint = null, title = 'Risk-coverage', width = 640, height = 480 } = options;
  const risks = [...curve.map((p) => p.risk), baseRisk ?? 0, operatingPoint?.risk ?? 0];
  const f = riskCoverageFrame(width, height, niceRiskMax(Math.max(...risks)));
  const r = new Raster(width, height);

  // grid and tick labels
  for (let i = 0; i <= 5; i++) {
    const x = f.px(i / 5);
    const y = f.py((f.yMax * i) / 5);
    r.line(x, f.top, x, f.bottom, COLORS.grid);
    r.line(f.left, y, f.right, y, COLORS.grid);
    const xl = (i / 5).toFixed(1);
    r.text(x - Raster.textWidth(xl) / 2, f.bottom + 10, xl, COLORS.text);
    const yl = ((f.yMax * i) / 5).toFixed(2);
    r.text(f.left - 10 - Raster.textWidth(yl), y - Raster.textHeight() / 2, yl, COLORS.text);
  }
  r.text(f.left + (f.right - f.left) / 2 - Raster.textWidth('coverage') / 2, f.bottom + 36, 'coverage', COLORS.text);
  r.text(8, f.top - 24, 'risk', COLORS.text);
  r.text(f.left + (f.right - f.left) / 2 - Raster.textWidth(title) / 2, 12, title, COLORS.text);

  const legend: Array<[string, Rgb]> = [];
  if (baseRisk !== null) {
    const oracle = oracleCurve(baseRisk);
    for (let i = 1; i < oracle.length; i++) {
      r.line(f.px(oracle[i - 1][0]), f.py(oracle[i - 1][1]), f.px(oracle[i][0]), f.py(oracle[i][1]), COLORS.oracle, 1, [4, 4]);
    }
    r.line(f.px(0), f.py(baseRisk), f.px(1), f.py(baseRisk), COLORS.base, 2, [8, 6]);
    legend.push(['base (random abstain)', COLORS.base], ['oracle', COLORS.oracle]);
  }
  // axes over the reference lines, under the sidecar's curve
  r.line(f.left, f.bottom, f.right, f.bottom, COLORS.axis, 2);
  r.line(f.left, f.top, f.left, f.bottom, COLORS.axis, 2);
  if (curve.length > 0) {
    // from coverage 0 at the first point's risk, matching metrics.areaUnderRiskCoverage
    let prev: [number, number] = [0, curve[0].risk];
    for (const p of curve) {
      r.line(f.px(prev[0]), f.py(prev[1]), f.px(p.coverage), f.py(p.risk), COLORS.sidecar, 3);
      prev = [p.coverage, p.risk];
    }
    legend.unshift(['sidecar confidence', COLORS.sidecar]);
  }
  if (operatingPoint) {
    r.fillRect(f.px(operatingPoint.coverage) - 5, f.py(operatingPoint.risk) - 5, 11, 11, COLORS.point);
    legend.push(['operating point', COLORS.point]);
  }
  legend.forEach(([label, color], i) => {
    const y = f.top + 10 + i * 22;
    const x = f.left + 14;
    r.fillRect(x, y + 3, 16, 8, color);
    r.text(x + 24, y, label, COLORS.text);
  });
  return r.toPng();
}
