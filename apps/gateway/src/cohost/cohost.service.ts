import { Inject, Injectable } from '@nestjs/common';
import type { Socket } from 'socket.io';
import {
  COHOST_PATTERNS,
  cohostInviteSchema,
  cohostRequestSchema,
  type CohostSession,
  cohostSessionRefSchema,
  cohostSessionResultSchema,
  cohostSignalResultSchema,
  cohostSignalSchema,
  LiveroomError,
  parseInput,
  roomOfSession,
} from '#contracts';
import type { ServiceClient } from '#transport';
import { requireUser } from '../auth/jwt-verifier.js';
import { requireJoined, stateOf } from '../common/socket-state.js';
import { RoomDirectory } from '../rooms/room-directory.js';
import { COHOST_CLIENT } from '../services/services.module.js';

export type CohostAnswer = 'accept' | 'reject' | 'cancel' | 'end';

/**
 * cohost:* events (PROTOCOL §5): validated here, decided by the cohost service, which also sends
 * cohost:update and relays cohost:signal to the parties on whatever gateway they are.
 */
@Injectable()
export class CohostService {
  constructor(
    @Inject(COHOST_CLIENT) private readonly cohost: ServiceClient,
    private readonly directory: RoomDirectory,
  ) {}

  async request(socket: Socket, payload: unknown): Promise<{ session: CohostSession }> {
    const actor = requireUser(stateOf(socket).caller);
    const request = parseInput(cohostRequestSchema, payload);
    requireJoined(socket, request.roomId);
    await this.directory.require(request.roomId);
    return this.cohost.call(COHOST_PATTERNS.request, { actor, request }, cohostSessionResultSchema);
  }

  async invite(socket: Socket, payload: unknown): Promise<{ session: CohostSession }> {
    const actor = requireUser(stateOf(socket).caller);
    const invite = parseInput(cohostInviteSchema, payload);
    // Fills the room's Redis copy the service's checks read (host, live).
    await this.directory.require(invite.roomId);
    return this.cohost.call(COHOST_PATTERNS.invite, { actor, invite }, cohostSessionResultSchema);
  }

  async answer(socket: Socket, op: CohostAnswer, payload: unknown): Promise<{ session: CohostSession }> {
    const actor = requireUser(stateOf(socket).caller);
    const { sessionId } = parseInput(cohostSessionRefSchema, payload);
    if (!(await this.directory.find(roomOfSession(sessionId)))) throw new LiveroomError('SESSION_NOT_FOUND', 'no such co-host session');
    return this.cohost.call(COHOST_PATTERNS[op], { actor, sessionId }, cohostSessionResultSchema);
  }

  async signal(socket: Socket, payload: unknown): Promise<Record<string, never>> {
    const actor = requireUser(stateOf(socket).caller);
    const signal = parseInput(cohostSignalSchema, payload);
    await this.cohost.call(COHOST_PATTERNS.signal, { actor, signal }, cohostSignalResultSchema);
    return {};
  }
}
