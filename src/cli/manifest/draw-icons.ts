/**
 * Draws the default app icons with pngjs: a person with a speech bubble (an expert answering a consultation).
 * The color icon is white on the accent color, 192×192; the outline icon is white lines on transparency, 32×32.
 * Shapes are signed distance functions in a unit square, sampled 4×4 per pixel for smooth edges. Deterministic.
 */
import { PNG } from 'pngjs';
import { colorIconSize, outlineIconSize } from './check-icons.js';

type Sdf = (x: number, y: number) => number;

const circle =
  (cx: number, cy: number, r: number): Sdf =>
  (x, y) =>
    Math.hypot(x - cx, y - cy) - r;

/** Upper half of an ellipse centred at (cx, cy): the shoulders. */
const shoulders =
  (cx: number, cy: number, rx: number, ry: number): Sdf =>
  (x, y) => {
    const ellipse = (Math.hypot((x - cx) / rx, (y - cy) / ry) - 1) * Math.min(rx, ry);
    return Math.max(ellipse, y - cy);
  };

const roundedBox =
  (x0: number, y0: number, x1: number, y1: number, radius: number): Sdf =>
  (x, y) => {
    const cx = (x0 + x1) / 2;
    const cy = (y0 + y1) / 2;
    const qx = Math.abs(x - cx) - ((x1 - x0) / 2 - radius);
    const qy = Math.abs(y - cy) - ((y1 - y0) / 2 - radius);
    return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius;
  };

/** The bubble's tail: a triangle pointing down-left from the bubble. */
const tail: Sdf = (x, y) => {
  // Half-planes of the triangle (0.60,0.40) (0.70,0.40) (0.56,0.50).
  const edges = [
    [0.6, 0.4, 0.7, 0.4],
    [0.7, 0.4, 0.56, 0.5],
    [0.56, 0.5, 0.6, 0.4],
  ] as const;
  let d = Number.NEGATIVE_INFINITY;
  for (const [ax, ay, bx, by] of edges) {
    const nx = by - ay;
    const ny = ax - bx;
    const len = Math.hypot(nx, ny);
    d = Math.max(d, ((x - ax) * nx + (y - ay) * ny) / len);
  }
  return d;
};

const union =
  (...shapes: Sdf[]): Sdf =>
  (x, y) =>
    Math.min(...shapes.map((s) => s(x, y)));

const head = circle(0.36, 0.42, 0.13);
const body = shoulders(0.36, 0.86, 0.25, 0.26);
const bubble = union(roundedBox(0.54, 0.14, 0.9, 0.42, 0.07), tail);
const dots = union(circle(0.63, 0.28, 0.028), circle(0.72, 0.28, 0.028), circle(0.81, 0.28, 0.028));

/** Fraction (0–1) of a pixel's 4×4 samples for which `inside` holds. */
function coverage(px: number, py: number, size: number, inside: (x: number, y: number) => boolean): number {
  let hits = 0;
  for (let sy = 0; sy < 4; sy += 1) {
    for (let sx = 0; sx < 4; sx += 1) {
      if (inside((px + (sx + 0.5) / 4) / size, (py + (sy + 0.5) / 4) / size)) hits += 1;
    }
  }
  return hits / 16;
}

function hexToRgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** The color icon: a white person and bubble (with dots cut out) on the accent color, 192×192 PNG bytes. */
export function drawColorIcon(accentColor = '#1F6FB2'): Buffer {
  const size = colorIconSize;
  const png = new PNG({ width: size, height: size });
  const [ar, ag, ab] = hexToRgb(accentColor);
  const glyph = union(head, body, bubble);
  for (let py = 0; py < size; py += 1) {
    for (let px = 0; px < size; px += 1) {
      const white = coverage(px, py, size, (x, y) => glyph(x, y) < 0 && dots(x, y) >= 0);
      const i = (py * size + px) * 4;
      png.data[i] = Math.round(ar + (255 - ar) * white);
      png.data[i + 1] = Math.round(ag + (255 - ag) * white);
      png.data[i + 2] = Math.round(ab + (255 - ab) * white);
      png.data[i + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}

/** The outline icon: white strokes of the same glyph on a transparent background, 32×32 PNG bytes. */
export function drawOutlineIcon(): Buffer {
  const size = outlineIconSize;
  const png = new PNG({ width: size, height: size });
  const halfStroke = 1 / size; // a 2-pixel line
  const shapes = [head, body, bubble];
  const inside = (x: number, y: number): boolean =>
    shapes.some((s) => Math.abs(s(x, y)) < halfStroke) || dots(x, y) < 0;
  for (let py = 0; py < size; py += 1) {
    for (let px = 0; px < size; px += 1) {
      const i = (py * size + px) * 4;
      png.data[i] = 255;
      png.data[i + 1] = 255;
      png.data[i + 2] = 255;
      png.data[i + 3] = Math.round(255 * coverage(px, py, size, inside));
    }
  }
  return PNG.sync.write(png);
}
