import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import { LabelError } from '../errors.js';
import { LabelMigrations } from './migrations.js';
import type { LabelDatabase } from './schema.js';

export interface OpenedDatabase {
  db: Kysely<LabelDatabase>;
  dialect: 'sqlite' | 'postgres';
  close(): Promise<void>;
}

/**
 * SQLite under `dataDir/label.sqlite` (WAL, synchronous=NORMAL is durable across a process
 * kill; FULL also across power loss, which is what we pick), or PostgreSQL when `databaseUrl`
 * is postgres://… Both are migrated to the newest version before use.
 */
export async function openDatabase(dataDir: string, databaseUrl?: string): Promise<OpenedDatabase> {
  let db: Kysely<LabelDatabase>;
  let dialect: 'sqlite' | 'postgres';
  if (databaseUrl && databaseUrl !== '') {
    if (!/^postgres(ql)?:\/\//.test(databaseUrl))
      throw new LabelError(
        'LABEL_BAD_DATABASE',
        `--database ${JSON.stringify(databaseUrl)} is not a postgres:// URL; leave it out for SQLite`,
      );
    const pg = (await import('pg')).default;
    // Keep bigint counts as JS numbers (our ids and counts stay far below 2^53).
    pg.types.setTypeParser(20, (v: string) => Number(v));
    db = new Kysely<LabelDatabase>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: databaseUrl, max: 10 }) }) });
    dialect = 'postgres';
  } else {
    mkdirSync(dataDir, { recursive: true });
    const Sqlite = (await import('better-sqlite3')).default;
    const file = new Sqlite(join(dataDir, 'label.sqlite'));
    file.pragma('journal_mode = WAL');
    file.pragma('synchronous = FULL');
    file.pragma('foreign_keys = ON');
    file.pragma('busy_timeout = 5000');
    db = new Kysely<LabelDatabase>({ dialect: new SqliteDialect({ database: file }) });
    dialect = 'sqlite';
  }
  const migrator = new Migrator({ db, provider: new LabelMigrations(dialect) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    await db.destroy();
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new LabelError(
      'LABEL_BAD_DATABASE',
      `the database could not be migrated${failed ? ` (${failed})` : ''}: ${String((error as Error).message ?? error)}`,
      {
        cause: error,
      },
    );
  }
  return { db, dialect, close: () => db.destroy() };
}
