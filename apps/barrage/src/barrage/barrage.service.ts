import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { type Actor, type BarrageEvent, type BarrageSendInput, type BarrageSendResult, LiveroomError } from '#contracts';
import { RoomLog } from '#room-log';
import { AdmissionService } from '../admission/admission.service.js';
import { BARRAGE_CONFIG, type BarrageConfig } from '../config.js';
import { DictionaryService } from '../dictionary/dictionary.service.js';

@Injectable()
export class BarrageService {
  constructor(
    private readonly roomLog: RoomLog,
    private readonly admission: AdmissionService,
    private readonly dictionary: DictionaryService,
    @Inject(BARRAGE_CONFIG) private readonly config: BarrageConfig,
  ) {}

  /**
   * Term filter, admission (mute, slow mode, repeats, rate limits), then sequencing into the room
   * log. A resent clientMsgId gets its first ack back and broadcasts nothing.
   */
  async send(actor: Actor, message: BarrageSendInput): Promise<BarrageSendResult> {
    const { roomId } = message;
    const dedupeKey = `barrage:${actor.userId}:${message.clientMsgId}`;
    const verdict = this.dictionary.current().check(message.text);
    const admission = await this.admission.admit(actor, roomId, message.text, dedupeKey);
    if (!admission.admitted) return ackOf(admission.duplicateOf);
    if (verdict.blocked) {
      this.dictionary.count('block');
      throw new LiveroomError('BLOCKED', 'the message contains a blocked term');
    }
    this.dictionary.count(verdict.masked ? 'mask' : 'pass');
    const draft: Omit<BarrageEvent, 'seq' | 'ts'> = {
      type: 'barrage',
      id: randomUUID(),
      userId: actor.userId,
      name: actor.name || actor.userId,
      text: verdict.text,
    };
    if (message.color) draft.color = message.color.toLowerCase();
    if (message.mode) draft.mode = message.mode;
    if (verdict.masked) draft.masked = true;
    const { event } = await this.roomLog.append(roomId, draft, { dedupeKey, dedupeTtlSec: this.config.BARRAGE_DEDUPE_SEC, requireLive: true });
    return ackOf(event);
  }
}

function ackOf(event: BarrageEvent): BarrageSendResult {
  return event.masked ? { seq: event.seq, id: event.id, masked: true } : { seq: event.seq, id: event.id };
}
