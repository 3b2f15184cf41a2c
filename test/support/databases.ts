/**
 * Databases for store tests: a SQLite file in a fresh temp directory, and PostgreSQL in a fresh schema when
 * TEST_DATABASE_URL names a server (.ci/run sets it).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

export interface TestDatabase {
  readonly name: 'sqlite' | 'postgres';
  /** A URL for a fresh, empty database. */
  create(): Promise<string>;
  /** Drops what `create` made. */
  cleanup(): Promise<void>;
}

export function testDatabases(): TestDatabase[] {
  const list: TestDatabase[] = [
    {
      name: 'sqlite',
      create: async () => path.join(mkdtempSync(path.join(tmpdir(), 'ucc-')), 'connector.db'),
      cleanup: async () => {},
    },
  ];
  const server = process.env.TEST_DATABASE_URL;
  if (server) {
    const schemas: string[] = [];
    list.push({
      name: 'postgres',
      async create() {
        // Unique across test files that run at once in one process (same pid, same millisecond).
        const schema = `t_${process.pid}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}_${schemas.length}`;
        const client = new pg.Client({ connectionString: server });
        await client.connect();
        await client.query(`create schema ${schema}`);
        await client.end();
        schemas.push(schema);
        const u = new URL(server);
        u.searchParams.set('options', `-c search_path=${schema}`);
        return u.toString();
      },
      async cleanup() {
        const client = new pg.Client({ connectionString: server });
        await client.connect();
        for (const s of schemas.splice(0)) await client.query(`drop schema if exists ${s} cascade`);
        await client.end();
      },
    });
  }
  return list;
}
