/**
 * The committed icons are the ones the drawing code makes, and they pass the checks Teams' rules ask for.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { checkColorIcon, checkOutlineIcon } from '../../../src/cli/manifest/check-icons.js';
import { drawColorIcon, drawOutlineIcon } from '../../../src/cli/manifest/draw-icons.js';
import { defaultManifestDir } from '../../../src/cli/manifest.js';

describe('the default icons', () => {
  it.each([
    ['color.png', drawColorIcon],
    ['outline.png', drawOutlineIcon],
  ])('%s in manifest/ matches what npm run manifest:icons draws', async (file, draw) => {
    const committed = PNG.sync.read(await readFile(path.join(defaultManifestDir, file)));
    const drawn = PNG.sync.read(draw());
    expect([committed.width, committed.height]).toEqual([drawn.width, drawn.height]);
    expect(Buffer.compare(committed.data, drawn.data)).toBe(0);
  });

  it('the color icon is a 192×192 opaque PNG in the accent color with a white glyph', () => {
    const bytes = drawColorIcon('#1F6FB2');
    expect(checkColorIcon('color.png', bytes)).toEqual([]);
    const png = PNG.sync.read(bytes);
    const corner = [...png.data.subarray(0, 4)];
    expect(corner).toEqual([0x1f, 0x6f, 0xb2, 255]);
    let white = 0;
    for (let i = 0; i < png.data.length; i += 4) if (png.data[i] === 255 && png.data[i + 2] === 255) white += 1;
    expect(white).toBeGreaterThan(192 * 192 * 0.1);
  });

  it('the outline icon is white lines on a transparent background', () => {
    const bytes = drawOutlineIcon();
    expect(checkOutlineIcon('outline.png', bytes)).toEqual([]);
    const png = PNG.sync.read(bytes);
    let transparent = 0;
    for (let i = 3; i < png.data.length; i += 4) if (png.data[i] === 0) transparent += 1;
    expect(transparent).toBeGreaterThan(32 * 32 * 0.5);
  });
});
