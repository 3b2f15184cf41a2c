/**
 * `npm run bench [-- <name> ...]`: runs the benchmarks in `bench/*.bench.ts` and merges their figures into
 * `bench/results/latest.json` as `{ "<benchmark>": { "value": <number>, "unit": "<unit>", ... } }`.
 * Each bench module exports `name` and `run(): Promise<Record<string, BenchFigure>>`.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** One measured figure. */
export interface BenchFigure {
  value: number;
  unit: string;
  [detail: string]: unknown;
}

/** What a bench module exports. */
export interface BenchModule {
  name: string;
  run(): Promise<Record<string, BenchFigure>>;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const resultsFile = path.join(here, 'results', 'latest.json');

async function main(): Promise<void> {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const files = (await readdir(here)).filter((f) => f.endsWith('.bench.ts')).sort();
  const modules: BenchModule[] = [];
  for (const f of files) modules.push((await import(pathToFileURL(path.join(here, f)).href)) as BenchModule);
  const known = modules.map((m) => m.name);
  const unknown = wanted.filter((w) => !modules.some((m) => m.name === w || Object.keys(m).includes(w)));
  if (unknown.length > 0) {
    console.error(`Unknown benchmark: ${unknown.join(', ')}. Known: ${known.join(', ')}`);
    process.exitCode = 2;
    return;
  }
  let results: Record<string, BenchFigure> = {};
  try {
    results = JSON.parse(await readFile(resultsFile, 'utf8')) as Record<string, BenchFigure>;
  } catch {
    results = {};
  }
  for (const m of modules) {
    if (wanted.length > 0 && !wanted.includes(m.name)) continue;
    process.stdout.write(`bench ${m.name} …\n`);
    const started = performance.now();
    const figures = await m.run();
    for (const [key, fig] of Object.entries(figures)) {
      results[key] = { ...fig, measuredAt: new Date().toISOString() };
      process.stdout.write(`  ${key}: ${fig.value} ${fig.unit}\n`);
    }
    process.stdout.write(`  (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
  }
  await mkdir(path.dirname(resultsFile), { recursive: true });
  await writeFile(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`wrote ${path.relative(process.cwd(), resultsFile)}\n`);
}

await main();
