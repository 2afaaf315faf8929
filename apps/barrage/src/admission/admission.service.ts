import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { type Actor, type BarrageEvent, type ErrorCode, LiveroomError, RedisKeys } from '#contracts';
import { REDIS } from '#redis';
import { normalize } from '#term-filter';
import { BARRAGE_CONFIG, type BarrageConfig } from '../config.js';
import { ADMISSION_SCRIPT } from './admission.lua.js';

interface AdmittingRedis extends Redis {
  barrageAdmit(...args: (string | number)[]): Promise<[number, string?, number?]>;
}

/** A message's fate before sequencing: admitted, refused (a LiveroomError), or already sent (its event). */
export type Admission = { admitted: true } | { admitted: false; duplicateOf: BarrageEvent };

/**
 * Mutes, slow mode (host, room moderators and admins exempt), repeats of the same normalized text
 * within the window, the per-user and the per-room rate limits: one atomic Redis script.
 */
@Injectable()
export class AdmissionService {
  private readonly redis: AdmittingRedis;

  constructor(
    @Inject(REDIS) redis: Redis,
    private readonly keys: RedisKeys,
    @Inject(BARRAGE_CONFIG) private readonly config: BarrageConfig,
  ) {
    if (!('barrageAdmit' in redis)) redis.defineCommand('barrageAdmit', { numberOfKeys: 8, lua: ADMISSION_SCRIPT });
    this.redis = redis as AdmittingRedis;
  }

  async admit(actor: Actor, roomId: string, text: string, dedupeKey: string): Promise<Admission> {
    const k = this.keys;
    const c = this.config;
    // Repeats are judged on the normalized text, so "spam" and "S P A M" are the same message.
    const fingerprint = createHash('sha1').update(normalize(text).text).digest('base64url').slice(0, 16);
    const [verdict, detail, retryAfterMs] = await this.redis.barrageAdmit(
      k.roomDedupe(roomId, dedupeKey),
      k.roomMute(roomId, actor.userId),
      k.roomMeta(roomId),
      k.roomModerators(roomId),
      k.roomSlowMode(roomId, actor.userId),
      `${k.roomRecentTexts(roomId, actor.userId)}:${fingerprint}`,
      k.barrageRate(roomId, actor.userId),
      k.roomRate(roomId),
      actor.userId,
      actor.roles.includes('admin') ? '1' : '0',
      c.BARRAGE_RATE_PER_SEC,
      c.BARRAGE_BURST,
      c.BARRAGE_ROOM_RATE_PER_SEC,
      c.BARRAGE_ROOM_BURST,
      c.BARRAGE_REPEAT_WINDOW_SEC * 1000,
    );
    if (verdict === 1) return { admitted: true };
    if (verdict === 2) return { admitted: false, duplicateOf: JSON.parse(String(detail)) as BarrageEvent };
    throw refusal(String(detail) as ErrorCode, Number(retryAfterMs ?? 0));
  }
}

function refusal(code: ErrorCode, retryAfterMs: number): LiveroomError {
  switch (code) {
    case 'MUTED':
      return new LiveroomError('MUTED', 'you are muted in this room', retryAfterMs || undefined);
    case 'SLOW_MODE':
      return new LiveroomError('SLOW_MODE', 'slow mode is on; wait before sending again', retryAfterMs);
    default:
      return new LiveroomError('RATE_LIMITED', 'too many messages (or the same one again); slow down', retryAfterMs);
  }
}
