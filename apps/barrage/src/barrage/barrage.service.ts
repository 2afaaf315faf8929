import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { type Actor, type BarrageEvent, type BarrageSendInput, type BarrageSendResult, LiveroomError } from '#contracts';
import { MetricsRegistry } from '#observability';
import { AdmissionService, type BarrageDraft } from '../admission/admission.service.js';
import { DictionaryService } from '../dictionary/dictionary.service.js';

type Handled = 'sequenced' | 'duplicate' | 'refused';

@Injectable()
export class BarrageService {
  /** Per replica: shows how requests spread over replicas, and that none is handled twice. */
  private readonly handled: Counter<'result'>;

  constructor(
    private readonly admission: AdmissionService,
    private readonly dictionary: DictionaryService,
    metrics: MetricsRegistry,
  ) {
    this.handled = new Counter({
      name: 'liveroom_barrage_requests_total',
      help: 'barrage:send requests this replica handled, by result: sequenced (a new event), duplicate (a resent clientMsgId answered from dedupe), refused',
      labelNames: ['result'],
      registers: [metrics.registry],
    });
  }

  /**
   * Term filter, then admission (room live, mute, slow mode, repeats, rate limits) and sequencing
   * into the room log in one step. A resent clientMsgId gets its first ack back and broadcasts nothing.
   */
  async send(actor: Actor, message: BarrageSendInput): Promise<BarrageSendResult> {
    const { roomId } = message;
    const dedupeKey = `barrage:${actor.userId}:${message.clientMsgId}`;
    const verdict = this.dictionary.current().check(message.text);
    let draft: BarrageDraft | null = null;
    if (!verdict.blocked) {
      draft = { type: 'barrage', id: randomUUID(), userId: actor.userId, name: actor.name || actor.userId, text: verdict.text };
      if (message.color) draft.color = message.color.toLowerCase();
      if (message.mode) draft.mode = message.mode;
      if (verdict.masked) draft.masked = true;
    }
    try {
      const { event, duplicate } = await this.admission.admitAndAppend(actor, roomId, message.text, dedupeKey, draft);
      if (!duplicate) this.dictionary.count(verdict.masked ? 'mask' : 'pass');
      this.count(duplicate ? 'duplicate' : 'sequenced');
      return ackOf(event);
    } catch (error) {
      if (error instanceof LiveroomError && error.code === 'BLOCKED') this.dictionary.count('block');
      this.count('refused');
      throw error;
    }
  }

  private count(result: Handled): void {
    this.handled.inc({ result });
  }
}

function ackOf(event: BarrageEvent): BarrageSendResult {
  return event.masked ? { seq: event.seq, id: event.id, masked: true } : { seq: event.seq, id: event.id };
}
