/** The real connector with its agent side, for API tests: a real database, a settable clock, keys made ready. */
import { Writable } from 'node:stream';
import { type AppDependencies, type ConnectorApp, createApp } from '../../src/app.js';
import { createLogger } from '../../src/logger.js';
import { RecordingChannel } from '../../src/ports/participant-channel.js';
import request from './api-request.js';
import { sampleDirectory, type TestClock, testConfig } from './test-app.js';

/** The app, the expert channel (Teams stands in as a recording channel) and keys. */
export interface ApiTestApp {
  readonly app: ConnectorApp;
  readonly experts: RecordingChannel;
  readonly logs: string[];
  readonly keys: { kate: string; jim: string; platform: string };
}

/** Starts the connector on `databaseUrl` with `directory` (default the sample directory) plus `extraYaml`, and network-edge `deps`. */
export async function startApiApp(
  databaseUrl: string,
  clock: TestClock,
  extraYaml = '',
  deps: Pick<AppDependencies, 'resolve' | 'fetch'> = {},
  directory = sampleDirectory,
): Promise<ApiTestApp> {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const experts = new RecordingChannel();
  const app = await createApp(testConfig(directory + extraYaml, databaseUrl), {
    clock,
    logger: createLogger('debug', sink),
    channels: { 'knowledge-worker': experts },
    ...deps,
  });
  const keys = app.agentSide.keys;
  const kate = await keys.create({ contactCenter: 'default', agentId: 'agent-kate', label: 'Kate desktop' });
  const jim = await keys.create({ contactCenter: 'default', agentId: 'agent-jim', label: 'Jim desktop' });
  const platform = await keys.create({ contactCenter: 'default', agentId: null, label: 'Platform' });
  return { app, experts, logs, keys: { kate: kate.key, jim: jim.key, platform: platform.key } };
}

/** The bearer header for a key. */
export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** Requests to `/api/v1` on `app` as the holder of `key`; every answer is checked against the served OpenAPI. */
export const apiAs = (app: ConnectorApp, key: string) => ({
  get: (path: string) => request(app.http).get(`/api/v1${path}`).set(bearer(key)),
  post: (path: string, body?: object) =>
    request(app.http)
      .post(`/api/v1${path}`)
      .set(bearer(key))
      .send(body ?? {}),
  delete: (path: string) => request(app.http).delete(`/api/v1${path}`).set(bearer(key)),
});
