/**
 * Checks the two icons Teams requires: the color icon is a 192×192 PNG; the outline icon is a 32×32 PNG with a
 * transparent background whose visible pixels are white. Pure: works on the files' bytes.
 */
import { PNG } from 'pngjs';
import type { PackageProblem } from './package-problem.js';

/** Size of the color icon, in pixels (square). */
export const colorIconSize = 192;
/** Size of the outline icon, in pixels (square). */
export const outlineIconSize = 32;
/** Lowest red, green and blue value (0–255) a visible outline pixel may have and still count as white. */
export const whiteThreshold = 240;

/** A decoded PNG: RGBA pixels, 4 bytes each, row by row. */
export interface DecodedIcon {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** Decodes PNG bytes, or returns undefined when they are not a readable PNG. */
export function decodeIcon(bytes: Uint8Array): DecodedIcon | undefined {
  try {
    const png = PNG.sync.read(Buffer.from(bytes));
    return { width: png.width, height: png.height, data: png.data };
  } catch {
    return undefined;
  }
}

function sizeProblem(file: string, icon: DecodedIcon, size: number, kind: string): PackageProblem | undefined {
  if (icon.width === size && icon.height === size) return undefined;
  return {
    cause: 'icon',
    where: file,
    message: `is ${icon.width}×${icon.height}; the ${kind} icon must be ${size}×${size} pixels`,
    fix: `export the ${kind} icon at exactly ${size}×${size} (or run npm run manifest:icons to redraw the defaults)`,
  };
}

function notPng(file: string): PackageProblem {
  return { cause: 'icon', where: file, message: 'is not a readable PNG image', fix: 'save the icon as a PNG file' };
}

/** Problems of the color icon: not a PNG, or not 192×192. */
export function checkColorIcon(file: string, bytes: Uint8Array): PackageProblem[] {
  const icon = decodeIcon(bytes);
  if (icon === undefined) return [notPng(file)];
  const wrongSize = sizeProblem(file, icon, colorIconSize, 'color');
  return wrongSize === undefined ? [] : [wrongSize];
}

/** Problems of the outline icon: not a PNG, not 32×32, no transparent background, non-white or no lines. */
export function checkOutlineIcon(file: string, bytes: Uint8Array): PackageProblem[] {
  const icon = decodeIcon(bytes);
  if (icon === undefined) return [notPng(file)];
  const problems: PackageProblem[] = [];
  const wrongSize = sizeProblem(file, icon, outlineIconSize, 'outline');
  if (wrongSize !== undefined) problems.push(wrongSize);
  let transparent = 0;
  let visible = 0;
  let notWhite = 0;
  for (let i = 0; i + 3 < icon.data.length; i += 4) {
    const alpha = icon.data[i + 3] ?? 0;
    if (alpha === 0) {
      transparent += 1;
      continue;
    }
    visible += 1;
    const r = icon.data[i] ?? 0;
    const g = icon.data[i + 1] ?? 0;
    const b = icon.data[i + 2] ?? 0;
    if (r < whiteThreshold || g < whiteThreshold || b < whiteThreshold) notWhite += 1;
  }
  if (transparent === 0) {
    problems.push({
      cause: 'icon',
      where: file,
      message: 'has no transparent pixels; the outline icon needs a transparent background',
      fix: 'draw white lines on a transparent background (PNG with an alpha channel)',
    });
  }
  if (visible === 0) {
    problems.push({
      cause: 'icon',
      where: file,
      message: 'is fully transparent; nothing would show in Teams',
      fix: 'draw the glyph in white on the transparent background',
    });
  }
  if (notWhite > 0) {
    problems.push({
      cause: 'icon',
      where: file,
      message: `has ${notWhite} visible pixel(s) that are not white; outline lines must be white`,
      fix: 'draw the outline only in white (#FFFFFF), using transparency for anti-aliasing',
    });
  }
  return problems;
}
