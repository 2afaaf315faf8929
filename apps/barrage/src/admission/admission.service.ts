import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { type Actor, type BarrageEvent, type ErrorCode, isErrorCode, LiveroomError, RedisKeys } from '#contracts';
import { defineScript, REDIS, type ScriptArg } from '#redis';
import { DEFAULT_ROOM_LOG_OPTIONS, notLiveError } from '#room-log';
import { normalize } from '#term-filter';
import { BARRAGE_CONFIG, type BarrageConfig } from '../config.js';
import { ADMIT_AND_APPEND_SCRIPT } from './admission.lua.js';

/** A barrage event before the room log gives it its seq and ts. */
export type BarrageDraft = Omit<BarrageEvent, 'seq' | 'ts'>;

/** A message that got through: its event, or the event of the first send of its clientMsgId. */
export interface Admitted {
  event: BarrageEvent;
  duplicate: boolean;
}

/**
 * Mutes, slow mode (host, room moderators and admins exempt), repeats of the same normalized text
 * within the window, the per-user and the per-room rate limits, the room being live, and then the
 * append to the room log: one atomic Redis script, one round trip per message.
 */
@Injectable()
export class AdmissionService {
  /** 11 KEYS then the ARGV (see admission.lua.ts); answers [verdict, event JSON or code, retryAfterMs?]. */
  private readonly admitAndAppendScript: (...keysThenArgs: ScriptArg[]) => Promise<[number, string, number?]>;

  constructor(
    @Inject(REDIS) redis: Redis,
    private readonly keys: RedisKeys,
    @Inject(BARRAGE_CONFIG) private readonly config: BarrageConfig,
  ) {
    this.admitAndAppendScript = defineScript(redis, 'barrageAdmitAndAppend', { numberOfKeys: 11, lua: ADMIT_AND_APPEND_SCRIPT });
  }

  /**
   * Admits and sequences `draft`; `null` stands for a message the term filter blocked (refused with
   * BLOCKED, nothing spent). Refusals throw a LiveroomError with the PROTOCOL code.
   */
  async admitAndAppend(actor: Actor, roomId: string, text: string, dedupeKey: string, draft: BarrageDraft | null): Promise<Admitted> {
    const k = this.keys;
    const c = this.config;
    // Repeats are judged on the normalized text, so "spam" and "S P A M" are the same message; a text
    // that normalizes to nothing (emoji, punctuation) on itself, or every emoji would repeat every other.
    const fingerprint = c.BARRAGE_REPEAT_WINDOW_SEC > 0 ? fingerprintOf(text) : 'off';
    const [verdict, detail, retryAfterMs] = await this.admitAndAppendScript(
      k.roomDedupe(roomId, dedupeKey),
      k.roomMute(roomId, actor.userId),
      k.roomMeta(roomId),
      k.roomModerators(roomId),
      k.roomSlowMode(roomId, actor.userId),
      `${k.roomRecentTexts(roomId, actor.userId)}:${fingerprint}`,
      k.barrageRate(roomId, actor.userId),
      k.roomRate(roomId),
      k.roomSeq(roomId),
      k.roomLog(roomId),
      k.roomRecentBarrage(roomId),
      actor.userId,
      actor.roles.includes('admin') ? '1' : '0',
      c.BARRAGE_RATE_PER_SEC,
      c.BARRAGE_BURST,
      c.BARRAGE_ROOM_RATE_PER_SEC,
      c.BARRAGE_ROOM_BURST,
      c.BARRAGE_REPEAT_WINDOW_SEC * 1000,
      draft ? '0' : '1',
      draft ? JSON.stringify(draft) : '{}',
      k.roomChannel(roomId),
      DEFAULT_ROOM_LOG_OPTIONS.historySize,
      c.BARRAGE_DEDUPE_SEC,
      DEFAULT_ROOM_LOG_OPTIONS.recentSize,
    );
    if (verdict === 1 || verdict === 2) return { event: JSON.parse(detail) as BarrageEvent, duplicate: verdict === 2 };
    if (!isErrorCode(detail)) throw new LiveroomError('INTERNAL', `admission script answered ${String(detail)}`);
    throw refusal(detail, Number(retryAfterMs ?? 0), roomId);
  }
}

function fingerprintOf(text: string): string {
  const normalized = normalize(text).text;
  return createHash('sha1').update(normalized.length > 0 ? `n:${normalized}` : `r:${text.trim()}`).digest('base64url').slice(0, 16);
}

function refusal(code: ErrorCode, retryAfterMs: number, roomId: string): LiveroomError {
  switch (code) {
    case 'MUTED':
      return new LiveroomError('MUTED', 'you are muted in this room', retryAfterMs || undefined);
    case 'SLOW_MODE':
      return new LiveroomError('SLOW_MODE', 'slow mode is on; wait before sending again', retryAfterMs);
    case 'BLOCKED':
      return new LiveroomError('BLOCKED', 'the message contains a blocked term');
    case 'ROOM_NOT_FOUND':
    case 'ROOM_ENDED':
      return notLiveError(roomId, code);
    default:
      return new LiveroomError('RATE_LIMITED', 'too many messages (or the same one again); slow down', retryAfterMs);
  }
}
