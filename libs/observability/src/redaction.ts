/**
 * What must never reach a log line: bearer tokens and JWTs, handshake `auth`, secrets, and the
 * password part of connection URLs (DATABASE_URL, REDIS_URL). Structured fields are censored by
 * path (pino `redact`); free text (messages, error messages and stacks) is scrubbed by pattern.
 */

export const REDACTED = '[REDACTED]';

const SECRET_KEYS = ['authorization', 'cookie', 'token', 'accessToken', 'auth', 'jwt', 'password', 'secret', 'JWT_SECRET'];
const URL_KEYS = ['DATABASE_URL', 'REDIS_URL', 'url', 'connectionString'];

/** pino redact paths: each secret key at the top level, one level down and in request/handshake headers. */
export const REDACT_PATHS: string[] = [
  ...[...SECRET_KEYS, ...URL_KEYS].flatMap((key) => [key, `*.${key}`]),
  'headers.authorization',
  'headers.cookie',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.handshake.auth',
  'handshake.auth',
];

const URL_KEY_SET = new Set(URL_KEYS);

/** pino `redact.censor`: connection URLs keep everything but their password; anything else is replaced. */
export function censor(value: unknown, path: string[]): unknown {
  const key = path.at(-1);
  if (key !== undefined && URL_KEY_SET.has(key) && typeof value === 'string') return scrubText(value);
  return REDACTED;
}

const JWT = /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^:/?#\s@]*):[^@/\s]+@/gi;
const SECRET_ASSIGNMENT = /\b(JWT_SECRET|password|secret|token)=[^\s&;,)'"]+/gi;

/** Removes credentials from free text. Cheap enough for every log line (a few regex scans, no allocation when clean). */
export function scrubText(text: string): string {
  if (!mayHoldSecret(text)) return text;
  return text
    .replace(JWT, '[REDACTED_JWT]')
    .replace(BEARER, `$1 ${REDACTED}`)
    .replace(URL_PASSWORD, `$1:${REDACTED}@`)
    .replace(SECRET_ASSIGNMENT, `$1=${REDACTED}`);
}

function mayHoldSecret(text: string): boolean {
  return text.includes('eyJ') || text.includes('://') || text.includes('=') || /bearer|basic/i.test(text);
}
