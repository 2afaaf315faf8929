import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { GIFTING_PATTERNS, type Leaderboard, leaderboardCommandSchema, parseInput } from '#contracts';
import { LeaderboardService } from './leaderboard.service.js';

@Controller()
export class LeaderboardController {
  constructor(private readonly leaderboard: LeaderboardService) {}

  @MessagePattern(GIFTING_PATTERNS.leaderboard)
  top(@Payload() payload: unknown): Promise<Leaderboard> {
    const command = parseInput(leaderboardCommandSchema, payload);
    return this.leaderboard.top(command.roomId, command.limit);
  }
}
