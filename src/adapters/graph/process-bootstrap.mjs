// Starts a child process written in TypeScript: loads the module named by the first argument through tsx, as
// `npm start` does.
import { tsImport } from 'tsx/esm/api';

await tsImport(process.argv[2], import.meta.url);
