import { Inject, Injectable } from '@nestjs/common';
import type { Socket } from 'socket.io';
import { type BarrageSendCommand, type BarrageSendResult, barrageSendResultSchema, barrageSendSchema, parseInput, PATTERNS } from '#contracts';
import { requireUser } from '../auth/jwt-verifier.js';
import { requireJoined } from '../common/socket-state.js';
import { BARRAGE_SERVICE } from '../services/services.module.js';
import type { ServiceClient } from '#transport';

/** barrage:send: validated here, handled by one barrage replica over the Redis Streams transport. */
@Injectable()
export class BarrageRelayService {
  constructor(@Inject(BARRAGE_SERVICE) private readonly barrage: ServiceClient) {}

  send(socket: Socket, payload: unknown): Promise<BarrageSendResult> {
    const message = parseInput(barrageSendSchema, payload);
    const actor = requireUser(requireJoined(socket, message.roomId).caller);
    const command: BarrageSendCommand = { actor, message };
    return this.barrage.call(PATTERNS.barrageSend, command, barrageSendResultSchema);
  }
}
