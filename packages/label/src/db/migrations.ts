import type { Kysely, Migration, MigrationProvider } from 'kysely';

/**
 * Versioned migrations, applied in name order by kysely's Migrator (which records them in
 * `kysely_migration` and takes a lock, so two servers starting at once do not both migrate).
 * Never edit a released migration: add the next one.
 */
function migrations(dialect: 'sqlite' | 'postgres'): Record<string, Migration> {
  const idType = dialect === 'postgres' ? 'serial' : 'integer';
  // biome-ignore lint/suspicious/noExplicitAny: migrations run against whatever the schema was at that version
  const id = (db: Kysely<any>, table: string) =>
    db.schema.createTable(table).addColumn('id', idType, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()));
  return {
    '0001_initial': {
      async up(db) {
        await id(db, 'users')
          .addColumn('name', 'text', (c) => c.notNull().unique())
          .addColumn('role', 'text', (c) => c.notNull())
          .addColumn('password_hash', 'text', (c) => c.notNull())
          .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('sessions')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('csrf_token', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
        await id(db, 'projects')
          .addColumn('name', 'text', (c) => c.notNull().unique())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
          .addColumn('schema', 'text', (c) => c.notNull())
          .addColumn('annotators_per_item', 'integer', (c) => c.notNull())
          .addColumn('expiry_minutes', 'integer', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('members')
          .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id').onDelete('cascade'))
          .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addPrimaryKeyConstraint('members_pk', ['project_id', 'user_id'])
          .execute();
        await id(db, 'items')
          .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id').onDelete('cascade'))
          .addColumn('key', 'text', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('data', 'text', (c) => c.notNull())
          .addColumn('pre_annotation', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addUniqueConstraint('items_project_key', ['project_id', 'key'])
          .execute();
        await id(db, 'tasks')
          .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id').onDelete('cascade'))
          .addColumn('item_id', 'integer', (c) => c.notNull().references('items.id').onDelete('cascade'))
          .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'text', (c) => c.notNull())
          .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
          .addColumn('result', 'text')
          .addColumn('submitted_at', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          // One assignment per (item, annotator): N annotators per item means N different people.
          .addUniqueConstraint('tasks_item_user', ['item_id', 'user_id'])
          .execute();
        await db.schema.createIndex('tasks_project_status').on('tasks').columns(['project_id', 'status']).execute();
        await id(db, 'reviews')
          .addColumn('task_id', 'integer', (c) => c.notNull().references('tasks.id').onDelete('cascade'))
          .addColumn('reviewer_id', 'integer', (c) => c.notNull().references('users.id'))
          .addColumn('verdict', 'text', (c) => c.notNull())
          .addColumn('comment', 'text', (c) => c.notNull().defaultTo(''))
          .addColumn('result', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('files')
          .addColumn('sha256', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('mime', 'text', (c) => c.notNull())
          .addColumn('size', 'integer', (c) => c.notNull())
          .addColumn('width', 'integer', (c) => c.notNull())
          .addColumn('height', 'integer', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
      },
    },
  };
}

export class LabelMigrations implements MigrationProvider {
  constructor(private readonly dialect: 'sqlite' | 'postgres') {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations(this.dialect);
  }
}
