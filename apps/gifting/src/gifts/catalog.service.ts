import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type QueryRunner } from 'typeorm';
import type { GiftCatalog } from '#contracts';
import { GIFTING_CONFIG, type GiftingConfig } from '../config.js';
import { toInt } from '#persistence';

export interface CatalogGift {
  id: string;
  name: string;
  price: number;
}

/** The gift catalog (seeded by migration), cached in memory for GIFT_CATALOG_CACHE_MS. */
@Injectable()
export class CatalogService {
  private cache: { at: number; gifts: Promise<CatalogGift[]> } | undefined;

  constructor(
    private readonly db: DataSource,
    @Inject(GIFTING_CONFIG) private readonly config: GiftingConfig,
  ) {}

  list(): Promise<GiftCatalog> {
    return this.gifts();
  }

  /**
   * Pass the caller's transaction when it holds a connection: loading on another pool connection from
   * inside a transaction could deadlock the pool under load.
   */
  async find(giftId: string, q?: QueryRunner): Promise<CatalogGift | undefined> {
    return (await this.gifts(q)).find((g) => g.id === giftId);
  }

  private gifts(q?: QueryRunner): Promise<CatalogGift[]> {
    const now = Date.now();
    if (!this.cache || now - this.cache.at > this.config.GIFT_CATALOG_CACHE_MS) {
      const gifts = this.load(q);
      this.cache = { at: now, gifts };
      gifts.catch(() => (this.cache = undefined));
    }
    return this.cache.gifts;
  }

  private async load(q?: QueryRunner): Promise<CatalogGift[]> {
    const sql = `SELECT id, name, price FROM gifts WHERE active ORDER BY position, id`;
    const found = (q ? await q.query(sql) : await this.db.query(sql)) as {
      id: string;
      name: string;
      price: string;
    }[];
    return found.map((g) => ({ id: g.id, name: g.name, price: toInt(g.price) }));
  }
}
