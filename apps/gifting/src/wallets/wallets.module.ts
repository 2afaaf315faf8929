import { Module } from '@nestjs/common';
import { IdempotencyModule } from '../idempotency/idempotency.module.js';
import { LedgerModule } from '../ledger/ledger.module.js';
import { WalletsController } from './wallets.controller.js';
import { WalletsService } from './wallets.service.js';

@Module({ imports: [LedgerModule, IdempotencyModule], controllers: [WalletsController], providers: [WalletsService], exports: [WalletsService] })
export class WalletsModule {}
