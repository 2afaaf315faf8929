import { Module } from '@nestjs/common';
import { IdempotencyModule } from '../idempotency/idempotency.module.js';
import { LedgerModule } from '../ledger/ledger.module.js';
import { OutboxModule } from '../outbox/outbox.module.js';
import { CatalogService } from './catalog.service.js';
import { GiftsController } from './gifts.controller.js';
import { GiftsService } from './gifts.service.js';

@Module({
  imports: [LedgerModule, IdempotencyModule, OutboxModule],
  controllers: [GiftsController],
  providers: [CatalogService, GiftsService],
  exports: [GiftsService, CatalogService],
})
export class GiftsModule {}
