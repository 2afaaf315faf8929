import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions, openDatabase, pgPoolOf, ROOMS_SCHEMA } from './database.js';
import { RoomEntity } from './rooms/room.entity.js';

const name = `liveroom_test_${randomBytes(4).toString('hex')}`;
const url = `postgres://postgres@127.0.0.1:5432/${name}`;

afterAll(async () => {
  const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
});

describe('openDatabase (real PostgreSQL)', () => {
  it('creates the database, migrates once even when apps start together, and stores rooms', async () => {
    const [a, b] = await Promise.all([openDatabase(url, undefined, 2), openDatabase(url, undefined, 2)]);
    const applied = await a.query('SELECT name FROM migrations');
    expect(applied.map((r: { name: string }) => r.name)).toEqual(['CreateRooms1764000000000']);
    await a.getRepository(RoomEntity).insert({ id: 'r1', title: 't', hostId: 'h', endedAt: null });
    expect(await b.getRepository(RoomEntity).findOneByOrFail({ id: 'r1' })).toMatchObject({ title: 't', hostId: 'h', endedAt: null });
    await Promise.all([a.destroy(), b.destroy()]);
  });

  it('pgPoolOf gives the pg pool behind an initialized DataSource', async () => {
    expect(() => pgPoolOf(new DataSource(dataSourceOptions(url, ROOMS_SCHEMA)))).toThrow('not initialized');
    const db = await openDatabase(url, undefined, 2);
    const pool = pgPoolOf(db);
    expect(pool).toBeInstanceOf(pg.Pool);
    expect((await pool.query<{ db: string }>('SELECT current_database() AS db')).rows[0]?.db).toBe(name);
    await db.destroy();
  });
});
