import { NotFoundException } from '@nestjs/common';
import { DEV_JWT_SECRET } from '#config';
import { LiveroomError } from '#contracts';
import { gatewayConfigSchema } from '../config.js';
import { DevTokenController } from './dev-token.controller.js';
import { JwtVerifier } from './jwt-verifier.js';

const devConfig = gatewayConfigSchema.parse({});

describe('DevTokenController', () => {
  it('signs tokens the gateway accepts, with the development secret only', async () => {
    const { token } = await new DevTokenController(devConfig).token({ userId: 'alice', name: 'Alice', roles: ['admin'] });
    expect(await new JwtVerifier(devConfig).verify(token)).toEqual({ userId: 'alice', name: 'Alice', roles: ['admin'] });
    expect(devConfig.JWT_SECRET).toBe(DEV_JWT_SECRET);
  });

  it('refuses bad input and does not exist with a real secret or in production', async () => {
    await expect(new DevTokenController(devConfig).token({ userId: 'bad id' })).rejects.toBeInstanceOf(LiveroomError);
    await expect(new DevTokenController(devConfig).token({ userId: 'a', roles: ['root'] })).rejects.toBeInstanceOf(LiveroomError);
    const real = gatewayConfigSchema.parse({ JWT_SECRET: 'a-real-secret' });
    await expect(new DevTokenController(real).token({ userId: 'alice' })).rejects.toBeInstanceOf(NotFoundException);
    const prod = { ...devConfig, NODE_ENV: 'production' as const };
    await expect(new DevTokenController(prod).token({ userId: 'alice' })).rejects.toBeInstanceOf(NotFoundException);
  });
});
