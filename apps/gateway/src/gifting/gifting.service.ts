import { Inject, Injectable } from '@nestjs/common';
import type { Socket } from 'socket.io';
import {
  type GiftCatalog,
  giftCatalogSchema,
  GIFTING_PATTERNS,
  type GiftSendCommand,
  type GiftSendResult,
  giftSendResultSchema,
  giftSendSchema,
  type LedgerCheck,
  ledgerCheckSchema,
  type Leaderboard,
  leaderboardSchema,
  LiveroomError,
  parseInput,
  type Wallet,
  type WalletCreditCommand,
  walletCreditResultSchema,
  walletCreditSchema,
  walletSchema,
} from '#contracts';
import { type Caller, isAdmin, requireUser } from '../auth/jwt-verifier.js';
import { requireJoined } from '../common/socket-state.js';
import { RoomDirectory } from '../rooms/room-directory.js';
import type { ServiceClient } from '#transport';
import { GIFTING_CLIENT } from '../services/services.module.js';

/** The gateway's side of gifting: who may ask, validated input, then one call to the gifting service. */
@Injectable()
export class GiftingService {
  constructor(
    @Inject(GIFTING_CLIENT) private readonly gifting: ServiceClient,
    private readonly directory: RoomDirectory,
  ) {}

  sendGift(socket: Socket, payload: unknown): Promise<GiftSendResult> {
    const gift = parseInput(giftSendSchema, payload);
    const actor = requireUser(requireJoined(socket, gift.roomId).caller);
    const command: GiftSendCommand = { actor, gift };
    return this.gifting.call(GIFTING_PATTERNS.giftSend, command, giftSendResultSchema);
  }

  catalog(): Promise<GiftCatalog> {
    return this.gifting.call(GIFTING_PATTERNS.giftsList, {}, giftCatalogSchema);
  }

  wallet(caller: Caller): Promise<Wallet> {
    return this.gifting.call(GIFTING_PATTERNS.walletGet, { userId: requireUser(caller).userId }, walletSchema);
  }

  async leaderboard(roomId: string, limit: number): Promise<Leaderboard> {
    await this.directory.require(roomId);
    return this.gifting.call(GIFTING_PATTERNS.leaderboard, { roomId, limit }, leaderboardSchema);
  }

  credit(caller: Caller, userId: string, body: unknown): Promise<GiftSendResult> {
    requireAdmin(caller);
    const command: WalletCreditCommand = { userId, credit: parseInput(walletCreditSchema, body) };
    return this.gifting.call(GIFTING_PATTERNS.walletCredit, command, walletCreditResultSchema);
  }

  ledgerCheck(caller: Caller): Promise<LedgerCheck> {
    requireAdmin(caller);
    return this.gifting.call(GIFTING_PATTERNS.ledgerCheck, {}, ledgerCheckSchema);
  }
}

function requireAdmin(caller: Caller): void {
  requireUser(caller);
  if (!isAdmin(caller)) throw new LiveroomError('FORBIDDEN', 'admins only');
}
