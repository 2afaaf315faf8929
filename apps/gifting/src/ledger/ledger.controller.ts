import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { GIFTING_PATTERNS, type LedgerCheck, ledgerCheckCommandSchema, parseInput } from '#contracts';
import { LedgerService } from './ledger.service.js';

@Controller()
export class LedgerController {
  constructor(private readonly ledger: LedgerService) {}

  @MessagePattern(GIFTING_PATTERNS.ledgerCheck)
  check(@Payload() payload: unknown): Promise<LedgerCheck> {
    parseInput(ledgerCheckCommandSchema, payload);
    return this.ledger.check();
  }
}
