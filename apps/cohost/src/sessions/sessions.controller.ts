import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  COHOST_PATTERNS,
  cohostInviteCommandSchema,
  cohostRequestCommandSchema,
  type CohostSession,
  cohostSessionCommandSchema,
  cohostSignalCommandSchema,
  parseInput,
} from '#contracts';
import type { PartyOp } from './session-store.js';
import { SessionsService } from './sessions.service.js';

/** The transport edge: every command is validated again here. */
@Controller()
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @MessagePattern(COHOST_PATTERNS.request)
  async request(@Payload() payload: unknown): Promise<{ session: CohostSession }> {
    const { actor, request } = parseInput(cohostRequestCommandSchema, payload);
    return { session: await this.sessions.request(actor, request.roomId) };
  }

  @MessagePattern(COHOST_PATTERNS.invite)
  async invite(@Payload() payload: unknown): Promise<{ session: CohostSession }> {
    const { actor, invite } = parseInput(cohostInviteCommandSchema, payload);
    return { session: await this.sessions.invite(actor, invite.roomId, invite.userId) };
  }

  @MessagePattern(COHOST_PATTERNS.accept)
  accept(@Payload() payload: unknown): Promise<{ session: CohostSession }> {
    return this.act(payload, 'accept');
  }

  @MessagePattern(COHOST_PATTERNS.reject)
  reject(@Payload() payload: unknown): Promise<{ session: CohostSession }> {
    return this.act(payload, 'reject');
  }

  @MessagePattern(COHOST_PATTERNS.cancel)
  cancel(@Payload() payload: unknown): Promise<{ session: CohostSession }> {
    return this.act(payload, 'cancel');
  }

  @MessagePattern(COHOST_PATTERNS.end)
  end(@Payload() payload: unknown): Promise<{ session: CohostSession }> {
    return this.act(payload, 'end');
  }

  @MessagePattern(COHOST_PATTERNS.signal)
  async signal(@Payload() payload: unknown): Promise<Record<string, never>> {
    const { actor, signal } = parseInput(cohostSignalCommandSchema, payload);
    await this.sessions.signal(actor, signal.sessionId, signal.data);
    return {};
  }

  private async act(payload: unknown, op: PartyOp): Promise<{ session: CohostSession }> {
    const { actor, sessionId } = parseInput(cohostSessionCommandSchema, payload);
    return { session: await this.sessions.act(actor, sessionId, op) };
  }
}
