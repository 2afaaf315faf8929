import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { firstValueFrom } from 'rxjs';
import type { Socket } from 'socket.io';
import {
  type BarrageSendCommand,
  type BarrageSendResult,
  barrageSendResultSchema,
  barrageSendSchema,
  LiveroomError,
  parseInput,
  PATTERNS,
  SERVICES,
} from '#contracts';
import { RedisStreamsClient } from '#transport';
import { requireUser } from '../auth/jwt-verifier.js';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config.js';
import { stateOf } from '../common/socket-state.js';

/** barrage:send: validated here, handled by one barrage replica over the Redis Streams transport. */
@Injectable()
export class BarrageRelayService implements OnApplicationShutdown {
  private readonly client: RedisStreamsClient;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    this.client = new RedisStreamsClient({
      redisUrl: config.REDIS_URL,
      prefix: `${config.KEY_PREFIX}rpc:`,
      service: SERVICES.barrage,
      timeoutMs: config.SERVICE_TIMEOUT_MS,
    });
  }

  async send(socket: Socket, payload: unknown): Promise<BarrageSendResult> {
    const message = parseInput(barrageSendSchema, payload);
    const state = stateOf(socket);
    const actor = requireUser(state.caller);
    if (!state.rooms.has(message.roomId)) throw new LiveroomError('NOT_IN_ROOM', `join room ${message.roomId} first`);
    const command: BarrageSendCommand = { actor, message };
    let reply: unknown;
    try {
      reply = await firstValueFrom(this.client.send<unknown, BarrageSendCommand>(PATTERNS.barrageSend, command));
    } catch (error) {
      throw LiveroomError.from(error);
    }
    const result = barrageSendResultSchema.safeParse(reply);
    if (!result.success) throw new LiveroomError('INTERNAL', 'unexpected reply from the barrage service');
    return result.data;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}
