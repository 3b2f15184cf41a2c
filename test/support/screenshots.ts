/**
 * Where browser tests write their screenshots: a temporary directory, or `docs/images/` when UPDATE_SCREENSHOTS=1,
 * so a plain test run never rewrites the documentation's pictures.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let scratch: string | undefined;

/** The path for the screenshot `name` (e.g. `console-im.png`). */
export function screenshotPath(name: string): string {
  if (process.env.UPDATE_SCREENSHOTS === '1') {
    const docs = join(process.cwd(), 'docs', 'images');
    mkdirSync(docs, { recursive: true });
    return join(docs, name);
  }
  scratch ??= mkdtempSync(join(tmpdir(), 'ucc-screenshots-'));
  return join(scratch, name);
}
