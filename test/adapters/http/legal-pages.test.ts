/**
 * The privacy statement and terms of use the Teams app package links to are served by the connector itself, at the
 * addresses `uc-connector manifest` writes into the package.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectorApp } from '../../../src/app.js';
import { parseManifestOptions } from '../../../src/cli/manifest/manifest-options.js';
import { startTestApp, TestClock, testConfig } from '../../support/test-app.js';

let app: ConnectorApp;
beforeAll(async () => {
  const db = path.join(mkdtempSync(path.join(tmpdir(), 'ucc-legal-')), 'connector.db');
  app = (await startTestApp(testConfig('', db), new TestClock())).app;
});
afterAll(async () => {
  await app.stop();
});

describe('privacy and terms pages', () => {
  it('serve the pages the manifest links to, as HTML', async () => {
    const resolved = parseManifestOptions({
      botId: '6e7b768e-07e2-4810-8459-485f84f8f204',
      publicBaseUrl: 'https://uc.contoso.example',
    });
    if (!resolved.ok) throw new Error('manifest options should resolve');
    for (const url of [resolved.options.privacyUrl, resolved.options.termsOfUseUrl]) {
      const res = await request(app.http).get(new URL(url).pathname);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.text).toMatch(/^<!doctype html>/);
    }
  });

  it('says what data the connector processes and how long it is kept', async () => {
    const privacy = await request(app.http).get('/privacy');
    for (const subject of ['Presence', 'Names', 'Messages', 'Transcripts', 'How long it is kept'])
      expect(privacy.text).toContain(subject);
    const terms = await request(app.http).get('/terms');
    expect(terms.text).toContain('Terms of use');
    expect(terms.text).toContain('href="/privacy"');
  });
});
