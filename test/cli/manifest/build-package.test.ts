/**
 * The Teams app package as an admin gets it: a valid configuration yields a zip the official schema accepts,
 * with both icons at its root; each broken input, template or icon is refused, named, and nothing is written.
 * Network is disabled: the schema must come from the bundled copy.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AppManifestUtils, type TeamsManifest } from '@microsoft/app-manifest';
import { unzipSync } from 'fflate';
import nock from 'nock';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTeamsAppPackage, writeTeamsAppPackage } from '../../../src/cli/manifest/build-package.js';
import type { PackageProblem } from '../../../src/cli/manifest/package-problem.js';
import { defaultManifestDir } from '../../../src/cli/manifest.js';
import {
  botId,
  copyManifestDir,
  editTemplate,
  outlineWithLines,
  scratchDir,
  solidPng,
  validInput,
} from './package-fixtures.js';

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());

async function outFile(): Promise<string> {
  return path.join(await scratchDir(), 'dist', 'teams-app.zip');
}

describe('a valid configuration', () => {
  it('writes a zip with manifest.json and both icons at the root, accepted by the official schema', async () => {
    const file = await outFile();
    const result = await writeTeamsAppPackage(validInput, { manifestDir: defaultManifestDir, outFile: file });
    expect(result.ok).toBe(true);

    const entries = unzipSync(await readFile(file));
    expect(Object.keys(entries).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    const manifest = JSON.parse(Buffer.from(entries['manifest.json'] ?? []).toString('utf8'));
    expect(await AppManifestUtils.validateAgainstSchema(manifest as TeamsManifest)).toEqual([]);
    expect(Number(manifest.manifestVersion)).toBeGreaterThanOrEqual(1.22);
    expect(manifest).toMatchObject({
      id: botId,
      version: '1.2.3',
      name: { short: 'Expert Connect' },
      bots: [{ botId, scopes: ['personal'] }],
      validDomains: ['uc.contoso.example'],
      webApplicationInfo: { id: botId },
      icons: { color: 'color.png', outline: 'outline.png' },
      developer: {
        privacyUrl: 'https://uc.contoso.example/privacy',
        termsOfUseUrl: 'https://uc.contoso.example/terms',
      },
    });
    const titles = manifest.bots[0].commandLists[0].commands.map((c: { title: string }) => c.title);
    expect(titles).toEqual(['end', 'help']);

    const color = PNG.sync.read(Buffer.from(entries['color.png'] ?? []));
    const outline = PNG.sync.read(Buffer.from(entries['outline.png'] ?? []));
    expect([color.width, color.height, outline.width, outline.height]).toEqual([192, 192, 32, 32]);
  });

  it('uses a separate Teams app id when one is given, and leaves no placeholder unfilled', async () => {
    const teamsAppId = '9e107d9d-372b-4b6e-9a0e-1c5a1b2c3d4e';
    const result = await buildTeamsAppPackage({ ...validInput, teamsAppId }, defaultManifestDir);
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.manifest.id).toBe(teamsAppId);
    expect(JSON.stringify(result.manifest)).not.toContain('{{');
  });

  it('builds the same bytes from the same inputs', async () => {
    const a = await buildTeamsAppPackage(validInput, defaultManifestDir);
    const b = await buildTeamsAppPackage(validInput, defaultManifestDir);
    if (!a.ok || !b.ok) throw new Error('expected both builds to succeed');
    expect(Buffer.from(a.zip).equals(Buffer.from(b.zip))).toBe(true);
  });
});

type Breakage = {
  input?: Partial<typeof validInput> & Record<string, string | undefined>;
  breakDir?: (dir: string) => Promise<void>;
  expected: Partial<Omit<PackageProblem, 'message'>> & { message?: string | RegExp };
};

const broken: Record<string, Breakage> = {
  'missing bot id': {
    input: { botId: undefined },
    expected: { cause: 'options', where: 'botId', message: 'is missing' },
  },
  'invalid bot id': {
    input: { botId: 'my-bot' },
    expected: { cause: 'options', where: 'botId', message: /must be a GUID/ },
  },
  'non-https domain': {
    input: { publicBaseUrl: 'http://uc.contoso.example' },
    expected: { cause: 'options', where: 'publicBaseUrl', message: /must use https/ },
  },
  'name too long': {
    input: { name: 'The Contoso Expert Consultation Desk' },
    expected: { cause: 'options', where: 'name', message: /at most 30 characters/ },
  },
  'bad version': {
    input: { version: 'v2' },
    expected: { cause: 'options', where: 'version', message: /three numbers/ },
  },
  'color icon of the wrong size': {
    breakDir: (dir) => writeFile(path.join(dir, 'color.png'), solidPng(100, 100, [31, 111, 178, 255])),
    expected: { cause: 'icon', where: 'color.png', message: /is 100×100; the color icon must be 192×192/ },
  },
  'outline icon of the wrong size': {
    breakDir: (dir) => writeFile(path.join(dir, 'outline.png'), solidPng(48, 48, [255, 255, 255, 0])),
    expected: { cause: 'icon', where: 'outline.png', message: /is 48×48; the outline icon must be 32×32/ },
  },
  'non-transparent outline': {
    breakDir: (dir) => writeFile(path.join(dir, 'outline.png'), solidPng(32, 32, [255, 255, 255, 255])),
    expected: { cause: 'icon', where: 'outline.png', message: /no transparent pixels/ },
  },
  'outline with black lines': {
    breakDir: (dir) => writeFile(path.join(dir, 'outline.png'), outlineWithLines([0, 0, 0])),
    expected: { cause: 'icon', where: 'outline.png', message: /not white/ },
  },
  'icon that is not a PNG': {
    breakDir: (dir) => writeFile(path.join(dir, 'color.png'), 'GIF89a'),
    expected: { cause: 'icon', where: 'color.png', message: 'is not a readable PNG image' },
  },
  'missing icon file': {
    breakDir: (dir) =>
      editTemplate(dir, (t) => Object.assign(t, { icons: { color: 'logo.png', outline: 'outline.png' } })),
    expected: { cause: 'template', where: 'logo.png', message: /was not found/ },
  },
  'icon outside the package root': {
    breakDir: (dir) =>
      editTemplate(dir, (t) => Object.assign(t, { icons: { color: 'img/color.png', outline: 'outline.png' } })),
    expected: { cause: 'template', where: '/icons/color', message: /package root/ },
  },
  'template breaking the schema': {
    breakDir: (dir) =>
      editTemplate(dir, (t) => Object.assign(t, { description: { short: 'x'.repeat(81), full: 'y' } })),
    expected: { cause: 'schema', where: '/description/short', message: /must NOT have more than 80 characters/ },
  },
  'template on an old schema': {
    breakDir: (dir) =>
      editTemplate(dir, (t) =>
        Object.assign(t, {
          $schema: 'https://developer.microsoft.com/json-schemas/teams/v1.16/MicrosoftTeams.schema.json',
          manifestVersion: '1.16',
        }),
      ),
    expected: { cause: 'schema', where: '/$schema', message: /older than v1.22/ },
  },
  'template with an unknown placeholder': {
    breakDir: (dir) => editTemplate(dir, (t) => Object.assign(t, { accentColor: '{{brandColor}}' })),
    expected: { cause: 'template', message: /unknown placeholder \{\{brandColor\}\}/ },
  },
};

describe.each(Object.entries(broken))('refuses a package with a %s', (_label, breakage) => {
  it('names the problem with a fix and writes no zip', async () => {
    const manifestDir = breakage.breakDir === undefined ? defaultManifestDir : await copyManifestDir();
    await breakage.breakDir?.(manifestDir);
    const file = await outFile();
    const result = await writeTeamsAppPackage({ ...validInput, ...breakage.input }, { manifestDir, outFile: file });
    if (result.ok) throw new Error('expected the package to be refused');
    const { message, ...rest } = breakage.expected;
    expect(result.problems).toContainEqual(
      expect.objectContaining({
        ...rest,
        ...(message === undefined
          ? {}
          : { message: typeof message === 'string' ? message : expect.stringMatching(message) }),
        fix: expect.stringMatching(/\S/),
      }),
    );
    expect(existsSync(file)).toBe(false);
    expect(existsSync(path.dirname(file))).toBe(false);
  });
});

it('names every problem at once, inputs and icons together', async () => {
  const manifestDir = await copyManifestDir();
  await writeFile(path.join(manifestDir, 'outline.png'), solidPng(32, 32, [0, 0, 0, 255]));
  const result = await buildTeamsAppPackage(
    { publicBaseUrl: 'http://uc.contoso.example', name: 'x'.repeat(31) },
    manifestDir,
  );
  if (result.ok) throw new Error('expected the package to be refused');
  const named = result.problems.map((p) => `${p.cause}:${p.where}`);
  expect(named).toEqual(
    expect.arrayContaining(['options:botId', 'options:publicBaseUrl', 'options:name', 'icon:outline.png']),
  );
  expect(result.problems.filter((p) => p.where === 'outline.png').map((p) => p.message)).toEqual([
    expect.stringMatching(/no transparent pixels/),
    expect.stringMatching(/not white/),
  ]);
});
