/**
 * The SDK makes its clientMsgId / idempotencyKey with crypto.randomUUID, which browsers offer only in
 * secure contexts (https, localhost); the demo is often opened over plain http on a LAN address.
 */
export function ensureRandomUuid(): void {
  if (typeof globalThis.crypto.randomUUID === 'function') return;
  const uuid = (): `${string}-${string}-${string}-${string}-${string}` => {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40; // version 4
    bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80; // RFC 4122 variant
    const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
  Object.defineProperty(globalThis.crypto, 'randomUUID', { value: uuid, configurable: true });
}
