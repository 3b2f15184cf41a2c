/**
 * Validates a filled manifest against the official Teams manifest schema bundled in `@microsoft/app-manifest`,
 * offline: only schema URLs the package bundles are accepted, so the validator never reaches for the network.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { AppManifestUtils, type TeamsManifest } from '@microsoft/app-manifest';
import type { ManifestJson } from './fill-manifest.js';
import type { PackageProblem } from './package-problem.js';

/** The oldest manifest version the connector accepts (Microsoft's current version when this was written). */
export const minimumManifestVersion = '1.22';

const schemaPrefix = 'https://developer.microsoft.com/json-schemas/teams/';
const schemaUrlPattern =
  /^https:\/\/developer\.microsoft\.com\/json-schemas\/teams\/v(\d+)\.(\d+)\/MicrosoftTeams\.schema\.json$/;

/** Where `@microsoft/app-manifest` keeps its bundled Teams schemas. */
function bundledSchemaDir(): string {
  const entry = createRequire(import.meta.url).resolve('@microsoft/app-manifest');
  return path.join(path.dirname(entry), 'json-schemas', 'teams');
}

/** The bundled schema file for a `$schema` URL, or undefined when the package does not bundle it. */
export function bundledSchemaFile(schemaUrl: string): string | undefined {
  if (!schemaUrlPattern.test(schemaUrl)) return undefined;
  const file = path.join(bundledSchemaDir(), schemaUrl.slice(schemaPrefix.length));
  return existsSync(file) ? file : undefined;
}

const fixForSchema = 'correct this field in manifest/manifest.template.json (or the input that fills it)';

/** Checks `$schema` and `manifestVersion`, then runs the official schema; returns one problem per error. */
export async function validateManifest(manifest: ManifestJson): Promise<PackageProblem[]> {
  const schemaUrl = manifest.$schema;
  const match = typeof schemaUrl === 'string' ? schemaUrlPattern.exec(schemaUrl) : null;
  if (typeof schemaUrl !== 'string' || match === null || bundledSchemaFile(schemaUrl) === undefined) {
    return [
      {
        cause: 'schema',
        where: '/$schema',
        message: `must name a Teams schema bundled in @microsoft/app-manifest (got ${JSON.stringify(schemaUrl)})`,
        fix: `use ${schemaPrefix}v${minimumManifestVersion}/MicrosoftTeams.schema.json or a later bundled version`,
      },
    ];
  }
  const [, major, minor] = match;
  const problems: PackageProblem[] = [];
  const [minMajor, minMinor] = minimumManifestVersion.split('.').map(Number);
  if (Number(major) < (minMajor ?? 1) || (Number(major) === minMajor && Number(minor) < (minMinor ?? 0))) {
    problems.push({
      cause: 'schema',
      where: '/$schema',
      message: `uses manifest schema v${major}.${minor}, older than v${minimumManifestVersion}`,
      fix: `move the template to schema v${minimumManifestVersion} or later`,
    });
  }
  if (manifest.manifestVersion !== `${major}.${minor}`) {
    problems.push({
      cause: 'schema',
      where: '/manifestVersion',
      message: `must be "${major}.${minor}" to match $schema (got ${JSON.stringify(manifest.manifestVersion)})`,
      fix: 'make manifestVersion and the $schema URL name the same version',
    });
  }
  const errors = await AppManifestUtils.validateAgainstSchema(manifest as unknown as TeamsManifest);
  for (const error of errors) problems.push(toProblem(error));
  return problems;
}

/** Turns `"/bots/0/botId must match pattern … Details: {…}"` into a problem. */
function toProblem(error: string): PackageProblem {
  const match = /^(\S*) ([\s\S]*?)\. Details: ([\s\S]*)$/.exec(error);
  if (match === null) return { cause: 'schema', where: '/', message: error, fix: fixForSchema };
  const [, where = '', message = '', details = ''] = match;
  let extra = '';
  try {
    const params = JSON.parse(details) as Record<string, unknown>;
    if (typeof params.additionalProperty === 'string') extra = ` ("${params.additionalProperty}")`;
    if (Array.isArray(params.allowedValues)) extra = ` (one of ${params.allowedValues.join(', ')})`;
  } catch {
    extra = '';
  }
  return { cause: 'schema', where: where === '' ? '/' : where, message: `${message}${extra}`, fix: fixForSchema };
}
