import pg from 'pg';
import { afterAll } from 'vitest';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../fixtures/postgres.js';
import { storageSuite } from '../fixtures/storageSuite.js';

// The same storage suite as sqlite.test.ts, against a throw-away PostgreSQL cluster (Debian
// `postgresql`), one fresh database per test; skipped with the reason printed when it cannot start.
let cluster: Promise<ThrowawayPostgres | string> | undefined;
let n = 0;

storageSuite('PostgreSQL', async () => {
  cluster ??= startThrowawayPostgres();
  const c = await cluster;
  if (typeof c === 'string') return c;
  const name = `label_test_${process.pid}_${++n}`;
  const admin = new pg.Client({ connectionString: c.url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return { databaseUrl: c.url.replace(/\/postgres$/, `/${name}`) };
});

afterAll(async () => {
  const c = await cluster;
  if (c && typeof c !== 'string') c.stop();
});
