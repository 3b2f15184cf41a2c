/**
 * The layers of src/ (docs/development.md), enforced in `npm test` (`npm run layers`):
 * domain ← ports ← services ← adapters ← compose ← app/main/cli/dev. A violation fails CI.
 */
const entryPoints = '^src/(compose/|app\\.ts$|main\\.ts$|cli/|dev/)';

module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'src/domain imports nothing outside itself (no ports, services, adapters, config, I/O libraries).',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: {
        pathNot: '^src/domain/',
        dependencyTypesNot: ['npm'],
      },
    },
    {
      name: 'domain-has-no-io-libraries',
      comment: 'The domain does no I/O: no HTTP, database, Teams, Graph or logging libraries, no Node I/O modules.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: {
        path: '(^|/)node_modules/(botbuilder|express|pg|better-sqlite3|kysely|pino|@microsoft|@azure|jose|prom-client|p-queue)/|^(node:)?(fs|http|https|net|child_process|worker_threads)$',
      },
    },
    {
      name: 'ports-import-only-domain',
      comment: 'src/ports import only src/domain.',
      severity: 'error',
      from: { path: '^src/ports/' },
      to: { path: '^src/', pathNot: '^src/(domain|ports)/' },
    },
    {
      name: 'services-import-domain-and-ports',
      comment:
        'src/services import src/domain and src/ports (and each other), never adapters, config or the composition.',
      severity: 'error',
      from: { path: '^src/services/' },
      to: { path: '^src/', pathNot: '^src/(domain|ports|services)/' },
    },
    {
      name: 'adapters-never-import-services-or-composition',
      comment: 'src/adapters implement ports; they never import services, the composition or the entry points.',
      severity: 'error',
      from: { path: '^src/adapters/' },
      to: { path: `^src/services/|${entryPoints}` },
    },
    {
      name: 'adapters-never-import-config',
      comment: 'Adapters get resolved settings from the composition; they never import src/config.',
      severity: 'error',
      from: { path: '^src/adapters/' },
      to: { path: '^src/config/' },
    },
    {
      name: 'store-imports-no-other-adapter',
      comment: 'The store implements ports; the interfaces it implements live in src/ports, not in other adapters.',
      severity: 'error',
      from: { path: '^src/adapters/store/' },
      to: { path: '^src/adapters/', pathNot: '^src/adapters/store/' },
    },
    {
      name: 'config-never-imports-runtime',
      comment: 'src/config reads settings; it never imports services, the composition or the entry points.',
      severity: 'error',
      from: { path: '^src/config/' },
      to: { path: `^src/services/|${entryPoints}` },
    },
    {
      name: 'only-entry-points-import-the-composition',
      comment: 'src/compose and src/app.ts are imported only by the entry points.',
      severity: 'error',
      from: { path: '^src/', pathNot: entryPoints },
      to: { path: '^src/(compose/|app\\.ts$)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
