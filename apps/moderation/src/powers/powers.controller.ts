import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { MODERATION_PATTERNS, moderationActCommandSchema, parseInput } from '#contracts';
import { type ActResult, PowersService } from './powers.service.js';

@Controller()
export class PowersController {
  constructor(private readonly powers: PowersService) {}

  @MessagePattern(MODERATION_PATTERNS.act)
  act(@Payload() payload: unknown): Promise<ActResult> {
    const command = parseInput(moderationActCommandSchema, payload);
    return this.powers.act(command.actor, command.act);
  }
}
