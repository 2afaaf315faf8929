import { SignJWT } from 'jose';
import { LiveroomError } from '#contracts';
import type { GatewayConfig } from '../config.js';
import { JwtVerifier } from './jwt-verifier.js';

const SECRET = 'a-test-secret-of-some-length';
const verifier = new JwtVerifier({ JWT_SECRET: SECRET } as GatewayConfig);
const now = () => Math.floor(Date.now() / 1000);

function token(claims: Record<string, unknown>, opts: { alg?: string; secret?: string } = {}): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: opts.alg ?? 'HS256' }).sign(new TextEncoder().encode(opts.secret ?? SECRET));
}

async function refusal(t: unknown): Promise<string | undefined> {
  return verifier.verify(t).then(
    () => undefined,
    (error: unknown) => (error instanceof LiveroomError ? error.code : String(error)),
  );
}

describe('JwtVerifier (PROTOCOL §1)', () => {
  it('turns a valid HS256 token into the caller, with name and roles bounded', async () => {
    const caller = await verifier.verify(await token({ sub: 'user-1', name: 'N'.repeat(40), roles: ['admin', 'r'.repeat(40)], exp: now() + 60 }));
    expect(caller).toEqual({ userId: 'user-1', name: 'N'.repeat(32), roles: ['admin', 'r'.repeat(32)] });
  });

  it('treats no token as an anonymous viewer', async () => {
    await expect(verifier.verify(undefined)).resolves.toBeNull();
    await expect(verifier.verify(null)).resolves.toBeNull();
  });

  it('refuses bad tokens with UNAUTHORIZED', async () => {
    const unsignedNone = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"u"}').toString('base64url')}.`;
    const cases: unknown[] = [
      '',
      'not-a-jwt',
      42,
      'x'.repeat(5000),
      unsignedNone,
      await token({ sub: 'u', exp: now() - 10 }),
      await token({ sub: 'u', nbf: now() + 600 }),
      await token({ sub: 'u' }, { secret: 'another-secret-entirely' }),
      await token({ sub: 'u' }, { alg: 'HS512' }),
      await token({ name: 'no subject' }),
      await token({ sub: 'u', roles: 'admin' }),
    ];
    for (const bad of cases) expect(await refusal(bad)).toBe('UNAUTHORIZED');
  });
});
