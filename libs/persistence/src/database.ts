import pg from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from './migrations/index.js';
import { RoomEntity } from './rooms/room.entity.js';
import { RoomModeratorEntity } from './rooms/room-moderator.entity.js';

/** What one app owns in the shared database: its entities, its migrations and their history table. */
export interface SchemaSet {
  entities: DataSourceOptions['entities'];
  migrations: DataSourceOptions['migrations'];
  migrationsTableName: string;
}

/** Rooms and moderators (owned by the gateway). */
export const ROOMS_SCHEMA: SchemaSet = {
  entities: [RoomEntity, RoomModeratorEntity],
  migrations: MIGRATIONS,
  migrationsTableName: 'migrations',
};

/** Any advisory lock number, fixed: the apps that start together take turns migrating. */
const MIGRATION_LOCK = 7_318_001;

export function dataSourceOptions(url: string, schema: SchemaSet, poolSize = 10): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: schema.entities,
    migrations: schema.migrations,
    migrationsTableName: schema.migrationsTableName,
    synchronize: false,
    migrationsRun: false,
    extra: { max: poolSize, connectionTimeoutMillis: 3000 },
  };
}

/** Creates the database named in `url` if it does not exist (concurrent starters are fine). */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!/^[A-Za-z0-9_]{1,63}$/.test(name)) throw new Error(`unsupported database name "${name}"`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE "${name}"`).catch((error: { code?: string }) => {
        // 42P04 duplicate_database, 23505 unique_violation: another app created it first.
        if (error.code !== '42P04' && error.code !== '23505') throw error;
      });
    }
  } finally {
    await client.end();
  }
}

/** Runs pending migrations under an advisory lock so that apps starting together don't race. */
export async function runMigrations(dataSource: DataSource): Promise<void> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.release();
  }
}

/** Database created if missing, connected, migrated: what every app does at start. */
export async function openDatabase(url: string, schema: SchemaSet = ROOMS_SCHEMA, poolSize?: number): Promise<DataSource> {
  await ensureDatabase(url);
  const dataSource = new DataSource(dataSourceOptions(url, schema, poolSize));
  await dataSource.initialize();
  await runMigrations(dataSource);
  return dataSource;
}

/**
 * The node-postgres pool behind an initialized Postgres `DataSource`, for hot paths that want a plain
 * pooled query (no QueryRunner per call). It shares the DataSource's connections and closes with it.
 */
export function pgPoolOf(dataSource: DataSource): pg.Pool {
  if (dataSource.options.type !== 'postgres') throw new Error(`pgPoolOf: a ${dataSource.options.type} DataSource has no pg pool`);
  // TypeORM exposes the pool only as PostgresDriver.master (typed `any`, set by initialize()): this is
  // the one place that reaches for it.
  const pool = (dataSource.driver as unknown as { master?: pg.Pool }).master;
  if (!pool) throw new Error('pgPoolOf: the DataSource is not initialized');
  return pool;
}
