import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { type BarrageSendResult, barrageSendCommandSchema, parseInput, PATTERNS } from '#contracts';
import { BarrageService } from './barrage.service.js';

@Controller()
export class BarrageController {
  constructor(private readonly barrage: BarrageService) {}

  @MessagePattern(PATTERNS.barrageSend)
  send(@Payload() payload: unknown): Promise<BarrageSendResult> {
    const command = parseInput(barrageSendCommandSchema, payload);
    return this.barrage.send(command.actor, command.message);
  }
}
