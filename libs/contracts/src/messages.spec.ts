import { actorSchema } from './messages.js';

describe('actorSchema', () => {
  it('takes the 32-character display names the gateway lets through, emoji included', () => {
    // The gateway cuts a token's name to 32 code points; 32 emoji are 64 UTF-16 units.
    expect(actorSchema.safeParse({ userId: 'u1', name: '🎁'.repeat(32), roles: [] }).success).toBe(true);
    expect(actorSchema.safeParse({ userId: 'u1', name: 'x'.repeat(65), roles: [] }).success).toBe(false);
  });
});
