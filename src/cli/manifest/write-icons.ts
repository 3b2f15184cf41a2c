/**
 * `npm run manifest:icons`: redraws the default icons into `manifest/color.png` and `manifest/outline.png`.
 * Replace those files with your own artwork if you like; `npm run manifest` checks their size and transparency.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { drawColorIcon, drawOutlineIcon } from './draw-icons.js';

const manifestDir = fileURLToPath(new URL('../../../manifest/', import.meta.url));
await writeFile(`${manifestDir}color.png`, drawColorIcon());
await writeFile(`${manifestDir}outline.png`, drawOutlineIcon());
process.stdout.write(`wrote ${manifestDir}color.png (192×192) and ${manifestDir}outline.png (32×32)\n`);
