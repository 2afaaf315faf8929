import { Body, Controller, HttpCode, Inject, NotFoundException, Post } from '@nestjs/common';
import { SignJWT } from 'jose';
import { z } from 'zod';
import { DEV_JWT_SECRET } from '#config';
import { idSchema, parseInput } from '#contracts';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config.js';

const devTokenSchema = z.strictObject({
  userId: idSchema,
  name: z.string().trim().min(1).max(32).optional(),
  roles: z.array(z.enum(['admin'])).max(1).optional(),
});

/**
 * Development only: signs a token for the demo page and local tools. It exists only while the
 * gateway runs with the development JWT secret outside production (PROTOCOL §1: real deployments
 * get tokens from their own auth service); otherwise it answers 404 like any unknown route.
 */
@Controller('v1/dev')
export class DevTokenController {
  private readonly key: Uint8Array | null;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    const enabled = config.NODE_ENV !== 'production' && config.JWT_SECRET === DEV_JWT_SECRET;
    this.key = enabled ? new TextEncoder().encode(config.JWT_SECRET) : null;
  }

  @Post('token')
  @HttpCode(200)
  async token(@Body() body: unknown): Promise<{ token: string }> {
    if (!this.key) throw new NotFoundException();
    const { userId, name, roles } = parseInput(devTokenSchema, body);
    const token = await new SignJWT({ name: name ?? userId, ...(roles ? { roles } : {}) })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(userId)
      .setIssuedAt()
      .setExpirationTime('12h')
      .sign(this.key);
    return { token };
  }
}
