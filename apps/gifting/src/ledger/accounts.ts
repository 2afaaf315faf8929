/** Ledger account ids. A wallet has a stored balance; the others are append-only (balance = sum of entries). */
export const Accounts = {
  wallet: (userId: string) => `wallet:${userId}`,
  host: (userId: string) => `host:${userId}`,
  /** The platform's share of gifts. */
  revenue: 'platform:revenue',
  /** Source of top-ups (money that came in through a payment provider): goes negative by design. */
  cashIn: 'platform:cashin',
} as const;

export type AccountKind = 'wallet' | 'host' | 'revenue' | 'cashin';

/** Host credit = floor(value * share); the platform gets the rest. Integer math: no float rounding surprises. */
export function splitGift(value: number, hostShare: number): { host: number; platform: number } {
  const ppm = Math.round(hostShare * 1_000_000);
  const host = Number((BigInt(value) * BigInt(ppm)) / 1_000_000n);
  return { host, platform: value - host };
}
