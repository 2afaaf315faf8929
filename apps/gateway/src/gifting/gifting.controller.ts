import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import {
  giftCatalogSchema,
  type GiftCatalog,
  type GiftSendResult,
  idSchema,
  type LedgerCheck,
  ledgerCheckSchema,
  type Leaderboard,
  leaderboardQuerySchema,
  leaderboardSchema,
  parseInput,
  walletCreditResultSchema,
  walletCreditSchema,
  type Wallet,
  walletSchema,
} from '#contracts';
import { HttpCaller } from '../auth/http-caller.js';
import type { Caller } from '../auth/jwt-verifier.js';
import { ApiAuth, ApiErrors } from '../openapi-docs.js';
import { GiftingService } from './gifting.service.js';

const roomParams = z.strictObject({ id: idSchema });
const userParams = z.strictObject({ userId: idSchema });

/** PROTOCOL §7: gifts, wallet, leaderboard and the admin ledger endpoints. */
@ApiTags('gifting')
@ApiErrors(503)
@Controller('v1')
export class GiftingController {
  constructor(private readonly gifting: GiftingService) {}

  @Get('gifts')
  @ApiOperation({ summary: 'The gift catalog (anyone)' })
  @ApiOkResponse({ standardSchema: giftCatalogSchema })
  catalog(): Promise<GiftCatalog> {
    return this.gifting.catalog();
  }

  @Get('wallet')
  @ApiOperation({ summary: "The caller's wallet (user)" })
  @ApiOkResponse({ standardSchema: walletSchema })
  @ApiAuth()
  wallet(@HttpCaller() caller: Caller): Promise<Wallet> {
    return this.gifting.wallet(caller);
  }

  @Get('rooms/:id/leaderboard')
  @ApiOperation({ summary: 'Top gifters of a room by coins (anyone)' })
  @ApiOkResponse({ standardSchema: leaderboardSchema })
  @ApiErrors(400, 404)
  leaderboard(@Param({ schema: roomParams }) params: unknown, @Query({ schema: leaderboardQuerySchema }) query: unknown): Promise<Leaderboard> {
    return this.gifting.leaderboard(parseInput(roomParams, params).id, parseInput(leaderboardQuerySchema, query).limit);
  }

  @Post('admin/wallets/:userId/credits')
  @HttpCode(200)
  @ApiOperation({ summary: 'Top up a wallet, as a payment provider would confirm; idempotent per key (admin)' })
  @ApiOkResponse({ standardSchema: walletCreditResultSchema })
  @ApiAuth()
  @ApiErrors(400, 403, 409)
  credit(
    @HttpCaller() caller: Caller,
    @Param({ schema: userParams }) params: unknown,
    @Body({ schema: walletCreditSchema }) body: unknown,
  ): Promise<GiftSendResult> {
    return this.gifting.credit(caller, parseInput(userParams, params).userId, body);
  }

  @Get('admin/ledger/check')
  @ApiOperation({ summary: 'Ledger consistency check: every transfer sums to zero, outbox backlog (admin)' })
  @ApiOkResponse({ standardSchema: ledgerCheckSchema })
  @ApiAuth()
  @ApiErrors(403)
  ledgerCheck(@HttpCaller() caller: Caller): Promise<LedgerCheck> {
    return this.gifting.ledgerCheck(caller);
  }
}
