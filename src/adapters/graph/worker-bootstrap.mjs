// Starts a worker thread written in TypeScript: loads `workerData.entry` through tsx, as `npm start` does.
import { workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

await tsImport(workerData.entry, import.meta.url);
