/**
 * The package inputs read from the environment: names, empty values, and the Teams app id default.
 */
import { describe, expect, it } from 'vitest';
import { parseManifestOptions } from '../../src/cli/manifest/manifest-options.js';
import { readManifestEnv } from '../../src/cli/read-manifest-env.js';

const botId = '1b4e28ba-2fa1-41d2-883f-0016d3cca427';

describe('readManifestEnv', () => {
  it('maps the five variables onto package inputs', () => {
    const input = readManifestEnv({
      MICROSOFT_APP_ID: botId,
      TEAMS_APP_ID: '9e107d9d-372b-4b6e-9a0e-1c5a1b2c3d4e',
      PUBLIC_BASE_URL: 'https://uc.contoso.example/',
      TEAMS_APP_NAME: 'Expert Connect',
      TEAMS_APP_VERSION: '2.0.1',
      MICROSOFT_APP_PASSWORD: 'not-for-the-manifest',
    });
    expect(input).toEqual({
      botId,
      teamsAppId: '9e107d9d-372b-4b6e-9a0e-1c5a1b2c3d4e',
      publicBaseUrl: 'https://uc.contoso.example/',
      name: 'Expert Connect',
      version: '2.0.1',
    });
  });

  it('treats empty values as unset, so the Teams app id defaults to the bot id', () => {
    const input = readManifestEnv({
      MICROSOFT_APP_ID: ` ${botId} `,
      TEAMS_APP_ID: '',
      PUBLIC_BASE_URL: 'https://a.example',
    });
    const parsed = parseManifestOptions(input);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    expect(parsed.options).toMatchObject({
      botId,
      teamsAppId: botId,
      graphAppId: botId,
      domain: 'a.example',
      name: 'UC Connector',
      version: '1.0.0',
    });
  });
});
