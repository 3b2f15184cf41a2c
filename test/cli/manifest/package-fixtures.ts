/**
 * Shared fixtures for the Teams app package tests: valid inputs, a scratch copy of `manifest/`, and PNG makers
 * for broken icons.
 */
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { defaultManifestDir } from '../../../src/cli/manifest.js';

/** A bot id that fits the schema's GUID pattern. */
export const botId = '1b4e28ba-2fa1-41d2-883f-0016d3cca427';

/** Inputs that make a valid package. */
export const validInput = {
  botId,
  publicBaseUrl: 'https://uc.contoso.example',
  name: 'Expert Connect',
  version: '1.2.3',
};

/** A fresh scratch directory. */
export function scratchDir(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'uc-manifest-'));
}

/** A scratch copy of the repository's `manifest/` directory, to break on purpose. */
export async function copyManifestDir(): Promise<string> {
  const dir = path.join(await scratchDir(), 'manifest');
  await cp(defaultManifestDir, dir, { recursive: true });
  return dir;
}

/** Edits the template in a manifest directory as JSON. */
export async function editTemplate(dir: string, edit: (template: Record<string, unknown>) => void): Promise<void> {
  const file = path.join(dir, 'manifest.template.json');
  const template = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  edit(template);
  await writeFile(file, JSON.stringify(template, null, 2));
}

/** A PNG of the given size filled with one RGBA color. */
export function solidPng(width: number, height: number, rgba: [number, number, number, number]): Buffer {
  const png = new PNG({ width, height });
  for (let i = 0; i < width * height * 4; i += 4) {
    png.data[i] = rgba[0];
    png.data[i + 1] = rgba[1];
    png.data[i + 2] = rgba[2];
    png.data[i + 3] = rgba[3];
  }
  return PNG.sync.write(png);
}

/** A 32×32 outline on transparency whose middle is drawn in the given color. */
export function outlineWithLines(rgb: [number, number, number]): Buffer {
  const png = new PNG({ width: 32, height: 32 });
  for (let y = 0; y < 32; y += 1) {
    for (let x = 0; x < 32; x += 1) {
      const i = (y * 32 + x) * 4;
      const line = y === 16 || x === 16;
      png.data[i] = rgb[0];
      png.data[i + 1] = rgb[1];
      png.data[i + 2] = rgb[2];
      png.data[i + 3] = line ? 255 : 0;
    }
  }
  return PNG.sync.write(png);
}
