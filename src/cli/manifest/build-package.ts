/**
 * Builds the Teams app package: fills the manifest template, validates it against the official schema (offline),
 * checks both icons, and zips manifest.json and the icons at the zip root. Every problem is collected and returned
 * at once; nothing is written unless the package is valid, and the file appears atomically (write, then rename).
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { checkColorIcon, checkOutlineIcon } from './check-icons.js';
import { fillManifest, type ManifestJson } from './fill-manifest.js';
import { type ManifestOptions, type ManifestOptionsInput, parseManifestOptions } from './manifest-options.js';
import type { PackageProblem } from './package-problem.js';
import { validateManifest } from './validate-manifest.js';

/** Name of the template inside the manifest directory. */
export const templateFileName = 'manifest.template.json';

/** Where the package's sources are and where it goes. */
export interface PackageLocations {
  /** Directory holding `manifest.template.json` and the icons it names (the repository's `manifest/`). */
  readonly manifestDir: string;
  /** The zip to write, e.g. `<cwd>/dist/teams-app.zip`. */
  readonly outFile: string;
}

/** A built package in memory. */
export interface TeamsAppPackage {
  readonly manifest: ManifestJson;
  /** Entry names in the zip, all at its root. */
  readonly entries: readonly string[];
  readonly zip: Uint8Array;
}

/** A tagged result: the package, or every problem found. */
export type PackageResult =
  | ({ readonly ok: true } & TeamsAppPackage)
  | { readonly ok: false; readonly problems: readonly PackageProblem[] };

/** A tagged result of writing: where the zip went, or every problem found (and nothing written). */
export type WrittenPackageResult =
  | ({ readonly ok: true; readonly file: string } & TeamsAppPackage)
  | { readonly ok: false; readonly problems: readonly PackageProblem[] };

// A fixed timestamp keeps the zip byte-for-byte reproducible from the same inputs.
const entryTime = new Date(Date.UTC(2024, 0, 1));

// Stands in for invalid options so the template's own problems (and its icon names) still come out.
const placeholderGuid = '00000000-0000-0000-0000-000000000000';
const placeholderOptions: ManifestOptions = {
  botId: placeholderGuid,
  teamsAppId: placeholderGuid,
  graphAppId: placeholderGuid,
  publicBaseUrl: 'https://placeholder.invalid',
  domain: 'placeholder.invalid',
  name: 'placeholder',
  fullName: 'placeholder',
  version: '1.0.0',
  developerName: 'placeholder',
  websiteUrl: 'https://placeholder.invalid',
  privacyUrl: 'https://placeholder.invalid',
  termsOfUseUrl: 'https://placeholder.invalid',
  accentColor: '#000000',
};

async function readSource(file: string, where: string): Promise<Uint8Array | PackageProblem> {
  try {
    return await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      cause: 'template',
      where,
      message: code === 'ENOENT' ? `was not found at ${file}` : `cannot be read (${code ?? 'unknown error'})`,
      fix: 'restore the file in the manifest directory (see manifest/ in the repository)',
    };
  }
}

/** Reads an icon path from the template; icons must sit at the package root. */
function iconEntry(manifest: ManifestJson, key: 'color' | 'outline'): string | PackageProblem {
  const icons = manifest.icons as Record<string, unknown> | undefined;
  const name = icons?.[key];
  if (typeof name !== 'string' || name === '') {
    return { cause: 'template', where: `/icons/${key}`, message: 'is missing', fix: `name the ${key} icon file` };
  }
  if (name !== path.posix.basename(name) || name.includes('\\')) {
    return {
      cause: 'template',
      where: `/icons/${key}`,
      message: `must be a file name at the package root (got "${name}")`,
      fix: 'put the icon beside the template and give its bare file name',
    };
  }
  return name;
}

/** Builds the package in memory from the options and the manifest directory. */
export async function buildTeamsAppPackage(
  input: Partial<ManifestOptionsInput>,
  manifestDir: string,
): Promise<PackageResult> {
  const problems: PackageProblem[] = [];
  const parsed = parseManifestOptions(input);
  if (!parsed.ok) problems.push(...parsed.problems);

  const templateBytes = await readSource(path.join(manifestDir, templateFileName), templateFileName);
  if (!(templateBytes instanceof Uint8Array)) return { ok: false, problems: [...problems, templateBytes] };
  const templateText = Buffer.from(templateBytes).toString('utf8');

  // Without valid options the template is not filled, but its icons are still checked so every problem shows.
  const filled = parsed.ok ? fillManifest(templateText, parsed.options, templateFileName) : undefined;
  if (filled !== undefined && !filled.ok) return { ok: false, problems: [...problems, ...filled.problems] };
  let manifest: ManifestJson;
  if (filled?.ok) {
    manifest = filled.manifest;
  } else {
    const raw = fillManifest(templateText, placeholderOptions, templateFileName);
    if (!raw.ok) return { ok: false, problems: [...problems, ...raw.problems] };
    manifest = raw.manifest;
  }

  if (filled?.ok) problems.push(...(await validateManifest(manifest)));

  const icons: Record<string, Uint8Array> = {};
  for (const [key, check] of [
    ['color', checkColorIcon],
    ['outline', checkOutlineIcon],
  ] as const) {
    const name = iconEntry(manifest, key);
    if (typeof name !== 'string') {
      problems.push(name);
      continue;
    }
    const bytes = await readSource(path.join(manifestDir, name), name);
    if (!(bytes instanceof Uint8Array)) {
      problems.push(bytes);
      continue;
    }
    problems.push(...check(name, bytes));
    icons[name] = bytes;
  }

  if (problems.length > 0) return { ok: false, problems };
  const files: Record<string, [Uint8Array, { mtime: Date }]> = {
    'manifest.json': [strToU8(`${JSON.stringify(manifest, null, 2)}\n`), { mtime: entryTime }],
  };
  for (const [name, bytes] of Object.entries(icons)) files[name] = [bytes, { mtime: entryTime }];
  return { ok: true, manifest, entries: Object.keys(files), zip: zipSync(files, { level: 9 }) };
}

/** Builds the package and writes it to `outFile`, creating its directory; writes nothing when invalid. */
export async function writeTeamsAppPackage(
  input: Partial<ManifestOptionsInput>,
  locations: PackageLocations,
): Promise<WrittenPackageResult> {
  const built = await buildTeamsAppPackage(input, locations.manifestDir);
  if (!built.ok) return built;
  await mkdir(path.dirname(locations.outFile), { recursive: true });
  const partial = `${locations.outFile}.${process.pid}.partial`;
  await writeFile(partial, built.zip);
  await rename(partial, locations.outFile);
  return { ...built, file: locations.outFile };
}
