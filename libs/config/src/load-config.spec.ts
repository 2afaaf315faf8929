import { z } from 'zod';
import { ConfigError, loadConfig } from './load-config.js';
import { commonEnv, DEV_JWT_SECRET, withJwtSecretRule } from './common-env.js';

const schema = withJwtSecretRule(
  z.object({ ...commonEnv, JWT_SECRET: z.string().min(1).default(DEV_JWT_SECRET), PORT: z.coerce.number().int().min(1) }),
);

describe('loadConfig', () => {
  it('applies defaults and coerces numbers', () => {
    const cfg = loadConfig('t', schema, { PORT: '3000' });
    expect(cfg).toMatchObject({ PORT: 3000, REDIS_URL: 'redis://127.0.0.1:6379', KEY_PREFIX: 'lr:', NODE_ENV: 'development' });
  });

  it('lists every problem in one error', () => {
    try {
      loadConfig('t', schema, { PORT: 'abc', REDIS_URL: 'nope' });
      throw new Error('expected a ConfigError');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const problems = (e as ConfigError).problems.join('\n');
      expect(problems).toContain('PORT');
      expect(problems).toContain('REDIS_URL');
    }
  });

  it('refuses the development JWT secret in production', () => {
    expect(() => loadConfig('t', schema, { PORT: '1', NODE_ENV: 'production' })).toThrow(/JWT_SECRET/);
    expect(loadConfig('t', schema, { PORT: '1', NODE_ENV: 'production', JWT_SECRET: 's3cret' }).JWT_SECRET).toBe('s3cret');
  });
});
