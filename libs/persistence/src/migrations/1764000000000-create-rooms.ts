import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateRooms1764000000000 implements MigrationInterface {
  name = 'CreateRooms1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE rooms (
        id varchar(64) PRIMARY KEY,
        title varchar(100) NOT NULL,
        host_id varchar(64) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        ended_at timestamptz NULL
      )`);
    await q.query(`CREATE INDEX rooms_host_id_idx ON rooms (host_id)`);
    await q.query(`
      CREATE TABLE room_moderators (
        room_id varchar(64) NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
        user_id varchar(64) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (room_id, user_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE room_moderators`);
    await q.query(`DROP TABLE rooms`);
  }
}
