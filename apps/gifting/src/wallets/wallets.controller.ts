import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { GIFTING_PATTERNS, type GiftSendResult, parseInput, type Wallet, walletCreditCommandSchema, walletGetCommandSchema } from '#contracts';
import { WalletsService } from './wallets.service.js';

@Controller()
export class WalletsController {
  constructor(private readonly wallets: WalletsService) {}

  @MessagePattern(GIFTING_PATTERNS.walletGet)
  get(@Payload() payload: unknown): Promise<Wallet> {
    return this.wallets.get(parseInput(walletGetCommandSchema, payload).userId);
  }

  @MessagePattern(GIFTING_PATTERNS.walletCredit)
  credit(@Payload() payload: unknown): Promise<GiftSendResult> {
    const command = parseInput(walletCreditCommandSchema, payload);
    return this.wallets.credit(command.userId, command.credit);
  }
}
