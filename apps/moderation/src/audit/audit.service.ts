import { Injectable } from '@nestjs/common';
import { DataSource, type QueryRunner } from 'typeorm';

/** One line of the moderation audit trail: who did what to whom, where and when (created_at). */
export interface AuditEntry {
  /** null for global actions (the term list). */
  roomId: string | null;
  actorId: string;
  action: string;
  targetUserId?: string;
  targetSeq?: number;
  seconds?: number;
  /** Anything else worth keeping: the actor's standing, the room event's seq, the new version... */
  details?: Record<string, unknown>;
}

export interface AuditRow {
  id: string;
  room_id: string | null;
  actor_id: string;
  action: string;
  target_user_id: string | null;
  target_seq: string | null;
  seconds: number | null;
  details: Record<string, unknown>;
  created_at: Date;
}

@Injectable()
export class AuditService {
  constructor(private readonly db: DataSource) {}

  /** Appends an entry; inside the caller's transaction when `q` is given. */
  async record(entry: AuditEntry, q?: QueryRunner): Promise<void> {
    await (q ?? this.db).query(
      `INSERT INTO moderation_audit (room_id, actor_id, action, target_user_id, target_seq, seconds, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)`,
      [
        entry.roomId,
        entry.actorId,
        entry.action,
        entry.targetUserId ?? null,
        entry.targetSeq ?? null,
        entry.seconds ?? null,
        JSON.stringify(entry.details ?? {}),
      ],
    );
  }
}
