import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Moderation's tables. `rooms` and `room_moderators` belong to the gateway's migrations; moderation
 * only reads them, so there is no foreign key to them here (the two histories run independently).
 */
export class CreateModeration1766000000000 implements MigrationInterface {
  name = 'CreateModeration1766000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE moderation_terms (
        term varchar(100) PRIMARY KEY,
        action varchar(8) NOT NULL CHECK (action IN ('block', 'mask')),
        position int NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by varchar(64) NOT NULL
      )`);
    // One row: the version of the term list in force (bumped by every PUT, in the same transaction).
    await q.query(`
      CREATE TABLE moderation_dictionary (
        id boolean PRIMARY KEY DEFAULT true CHECK (id),
        version bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by varchar(64) NULL
      )`);
    await q.query(`INSERT INTO moderation_dictionary (id, version) VALUES (true, 0)`);
    await q.query(`
      CREATE TABLE moderation_audit (
        id bigserial PRIMARY KEY,
        room_id varchar(64) NULL,
        actor_id varchar(64) NOT NULL,
        action varchar(32) NOT NULL,
        target_user_id varchar(64) NULL,
        target_seq bigint NULL,
        seconds int NULL,
        details jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX moderation_audit_room_idx ON moderation_audit (room_id, created_at)`);
    await q.query(`CREATE INDEX moderation_audit_target_idx ON moderation_audit (target_user_id, created_at)`);
    await q.query(`
      CREATE TABLE room_bans (
        room_id varchar(64) NOT NULL,
        user_id varchar(64) NOT NULL,
        banned_by varchar(64) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (room_id, user_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE room_bans`);
    await q.query(`DROP TABLE moderation_audit`);
    await q.query(`DROP TABLE moderation_dictionary`);
    await q.query(`DROP TABLE moderation_terms`);
  }
}
