import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { z } from 'zod';
import { type GiftCatalog, type GiftSendResult, idSchema, type LedgerCheck, type Leaderboard, leaderboardQuerySchema, parseInput, type Wallet } from '#contracts';
import { HttpCaller } from '../auth/http-caller.js';
import type { Caller } from '../auth/jwt-verifier.js';
import { GiftingService } from './gifting.service.js';

const roomParams = z.strictObject({ id: idSchema });
const userParams = z.strictObject({ userId: idSchema });

/** PROTOCOL §7: gifts, wallet, leaderboard and the admin ledger endpoints. */
@Controller('v1')
export class GiftingController {
  constructor(private readonly gifting: GiftingService) {}

  @Get('gifts')
  catalog(): Promise<GiftCatalog> {
    return this.gifting.catalog();
  }

  @Get('wallet')
  wallet(@HttpCaller() caller: Caller): Promise<Wallet> {
    return this.gifting.wallet(caller);
  }

  @Get('rooms/:id/leaderboard')
  leaderboard(@Param() params: unknown, @Query() query: unknown): Promise<Leaderboard> {
    return this.gifting.leaderboard(parseInput(roomParams, params).id, parseInput(leaderboardQuerySchema, query).limit);
  }

  @Post('admin/wallets/:userId/credits')
  @HttpCode(200)
  credit(@HttpCaller() caller: Caller, @Param() params: unknown, @Body() body: unknown): Promise<GiftSendResult> {
    return this.gifting.credit(caller, parseInput(userParams, params).userId, body);
  }

  @Get('admin/ledger/check')
  ledgerCheck(@HttpCaller() caller: Caller): Promise<LedgerCheck> {
    return this.gifting.ledgerCheck(caller);
  }
}
