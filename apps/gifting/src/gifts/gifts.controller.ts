import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { type GiftCatalog, giftSendCommandSchema, type GiftSendResult, GIFTING_PATTERNS, giftsListCommandSchema, parseInput } from '#contracts';
import { CatalogService } from './catalog.service.js';
import { GiftsService } from './gifts.service.js';

@Controller()
export class GiftsController {
  constructor(
    private readonly gifts: GiftsService,
    private readonly catalog: CatalogService,
  ) {}

  @MessagePattern(GIFTING_PATTERNS.giftSend)
  send(@Payload() payload: unknown): Promise<GiftSendResult> {
    const command = parseInput(giftSendCommandSchema, payload);
    return this.gifts.send(command.actor, command.gift);
  }

  @MessagePattern(GIFTING_PATTERNS.giftsList)
  list(@Payload() payload: unknown): Promise<GiftCatalog> {
    parseInput(giftsListCommandSchema, payload);
    return this.catalog.list();
  }
}
