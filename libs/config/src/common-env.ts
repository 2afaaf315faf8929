import { z } from 'zod';

export const DEV_JWT_SECRET = 'liveroom-dev-secret';

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

/** Variables every app reads. Each app extends this with its own. */
export const commonEnv = {
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]*$/, 'KEY_PREFIX may hold [A-Za-z0-9_.:-] only')
    .default('lr:'),
  LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug', 'verbose']).default('log'),
};

export const databaseEnv = {
  DATABASE_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/liveroom'),
};

export { port };

/** JWT_SECRET: a process in production refuses to run with the development default (PROTOCOL §1). */
export function withJwtSecretRule<T extends { NODE_ENV: string; JWT_SECRET: string }>(
  schema: z.ZodType<T>,
): z.ZodType<T> {
  return schema.refine((env) => env.NODE_ENV !== 'production' || env.JWT_SECRET !== DEV_JWT_SECRET, {
    message: 'JWT_SECRET must be set to a real secret when NODE_ENV=production',
    path: ['JWT_SECRET'],
  });
}

/** Nest logger levels for LOG_LEVEL (each level includes the more severe ones). */
export function nestLogLevels(level: 'error' | 'warn' | 'log' | 'debug' | 'verbose'): ('error' | 'warn' | 'log' | 'debug' | 'verbose')[] {
  const order = ['error', 'warn', 'log', 'debug', 'verbose'] as const;
  return order.slice(0, order.indexOf(level) + 1);
}
