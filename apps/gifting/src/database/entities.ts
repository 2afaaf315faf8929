import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Entities of the gifting schema (the migrations are the source of truth; `synchronize` is never
 * used). bigint columns come back from PostgreSQL as strings.
 */
@Entity({ name: 'gifts' })
export class GiftEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 }) id!: string;
  @Column({ type: 'varchar', length: 64 }) name!: string;
  @Column({ type: 'bigint' }) price!: string;
  @Column({ type: 'int' }) position!: number;
  @Column({ type: 'boolean' }) active!: boolean;
}

@Entity({ name: 'ledger_accounts' })
export class LedgerAccountEntity {
  @PrimaryColumn({ type: 'varchar', length: 80 }) id!: string;
  @Column({ type: 'varchar', length: 16 }) kind!: 'wallet' | 'host' | 'revenue' | 'cashin';
  @Column({ name: 'owner_id', type: 'varchar', length: 64, nullable: true }) ownerId!: string | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

@Entity({ name: 'wallets' })
export class WalletEntity {
  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 64 }) userId!: string;
  @Column({ name: 'account_id', type: 'varchar', length: 80 }) accountId!: string;
  @Column({ type: 'bigint' }) balance!: string;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

@Entity({ name: 'ledger_tx' })
export class LedgerTxEntity {
  @PrimaryColumn({ type: 'uuid' }) id!: string;
  @Column({ type: 'varchar', length: 16 }) kind!: 'gift' | 'topup';
  @Column({ name: 'user_id', type: 'varchar', length: 64 }) userId!: string;
  @Column({ name: 'room_id', type: 'varchar', length: 64, nullable: true }) roomId!: string | null;
  @Column({ name: 'host_id', type: 'varchar', length: 64, nullable: true }) hostId!: string | null;
  @Column({ name: 'gift_id', type: 'varchar', length: 64, nullable: true }) giftId!: string | null;
  @Column({ type: 'int', nullable: true }) count!: number | null;
  @Column({ type: 'bigint' }) value!: string;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

@Entity({ name: 'ledger_entries' })
export class LedgerEntryEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ name: 'tx_id', type: 'uuid' }) txId!: string;
  @Column({ name: 'account_id', type: 'varchar', length: 80 }) accountId!: string;
  @Column({ type: 'bigint' }) amount!: string;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

@Entity({ name: 'idempotency_keys' })
export class IdempotencyKeyEntity {
  @PrimaryColumn({ type: 'varchar', length: 16 }) scope!: string;
  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 64 }) userId!: string;
  @PrimaryColumn({ type: 'varchar', length: 128 }) key!: string;
  @Column({ type: 'text' }) request!: string;
  @Column({ type: 'jsonb', nullable: true }) result!: unknown;
  @Column({ name: 'error_code', type: 'varchar', length: 32, nullable: true }) errorCode!: string | null;
  @Column({ name: 'error_message', type: 'text', nullable: true }) errorMessage!: string | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

@Entity({ name: 'gift_outbox' })
export class GiftOutboxEntity {
  @PrimaryColumn({ name: 'tx_id', type: 'uuid' }) txId!: string;
  @Column({ name: 'room_id', type: 'varchar', length: 64 }) roomId!: string;
  @Column({ type: 'jsonb' }) event!: unknown;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'dispatched_at', type: 'timestamptz', nullable: true }) dispatchedAt!: Date | null;
  @Column({ type: 'bigint', nullable: true }) seq!: string | null;
  @Column({ type: 'int' }) attempts!: number;
}
