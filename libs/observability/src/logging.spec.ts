import { context, trace } from '@opentelemetry/api';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { createLogger, type LogLevelName } from './logging.js';
import { PinoLoggerService } from './nest-logger.js';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJmYW4iLCJyb2xlcyI6WyJhZG1pbiJdfQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ';

function capture(level: LogLevelName = 'debug'): { lines: Record<string, unknown>[]; raw: string[]; logger: ReturnType<typeof createLogger> } {
  const raw: string[] = [];
  const logger = createLogger({ service: 'test', level, destination: { write: (line: string) => void raw.push(line) } });
  return {
    raw,
    logger,
    get lines() {
      return raw.map((line) => JSON.parse(line) as Record<string, unknown>);
    },
  };
}

describe('logger', () => {
  const provider = new NodeTracerProvider();
  beforeAll(() => provider.register());
  afterAll(async () => {
    await provider.shutdown();
    trace.disable();
    context.disable();
  });

  it('writes one JSON object per line with the service, level label and message', () => {
    const out = capture();
    out.logger.info({ roomId: 'r1' }, 'hello');
    expect(out.raw).toHaveLength(1);
    expect(out.raw[0]?.endsWith('\n')).toBe(true);
    expect(out.lines[0]).toMatchObject({ level: 'info', service: 'test', roomId: 'r1', msg: 'hello' });
    expect(out.lines[0]).not.toHaveProperty('trace_id');
  });

  it('adds trace_id and span_id of the active span', () => {
    const out = capture();
    const tracer = trace.getTracer('test');
    const ids = tracer.startActiveSpan('work', (span) => {
      out.logger.warn('inside a span');
      span.end();
      return span.spanContext();
    });
    expect(ids.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(out.lines[0]).toMatchObject({ level: 'warn', trace_id: ids.traceId, span_id: ids.spanId });
  });

  it('never writes tokens, JWTs, handshake auth or connection passwords', () => {
    const out = capture();
    out.logger.info(
      {
        headers: { authorization: `Bearer ${JWT}`, host: 'gw' },
        token: JWT,
        auth: { token: JWT },
        handshake: { auth: { token: JWT } },
        DATABASE_URL: 'postgres://liveroom:hunter2@db:5432/liveroom',
        config: { JWT_SECRET: 'sup3r-s3cret', REDIS_URL: 'redis://:redispw@cache:6379' },
      },
      `verify failed for Bearer ${JWT} against postgres://liveroom:hunter2@db/liveroom (JWT_SECRET=sup3r-s3cret)`,
    );
    out.logger.error({ err: new Error(`cannot connect to postgres://u:hunter2@db/x with ${JWT}`) }, 'boom');
    const text = out.raw.join('');
    for (const secret of [JWT, 'hunter2', 'sup3r-s3cret', 'redispw', 'eyJ']) expect(text).not.toContain(secret);
    const [first] = out.lines;
    expect(first).toMatchObject({
      headers: { authorization: '[REDACTED]', host: 'gw' },
      token: '[REDACTED]',
      auth: '[REDACTED]',
      DATABASE_URL: 'postgres://liveroom:[REDACTED]@db:5432/liveroom',
      config: { JWT_SECRET: '[REDACTED]', REDIS_URL: 'redis://:[REDACTED]@cache:6379' },
    });
    expect(first?.msg).toContain('postgres://liveroom:[REDACTED]@db/liveroom');
    expect(first?.msg).toContain('Bearer [REDACTED');
    expect(first?.msg).toContain('(JWT_SECRET=[REDACTED])');
  });

  it('honours the LOG_LEVEL names', () => {
    const warn = capture('warn');
    warn.logger.info('hidden');
    warn.logger.warn('shown');
    expect(warn.lines.map((l) => l.msg)).toEqual(['shown']);
    const verbose = capture('verbose');
    verbose.logger.trace('very detailed');
    expect(verbose.lines).toHaveLength(1);
  });
});

describe('PinoLoggerService (Nest LoggerService)', () => {
  it('maps Nest calls to pino lines: context, stack, errors, levels', () => {
    const out = capture('log');
    const nest = new PinoLoggerService(out.logger);
    nest.log('started', 'NestFactory');
    nest.error('handler failed', 'Error: x\n    at f (file.js:1:1)', 'Server');
    nest.error(new Error(`bad token ${JWT}`), 'errors');
    nest.warn({ roomId: 'r1' }, 'Rooms');
    nest.debug('not at log level', 'Rooms');
    nest.verbose('nor this', 'Rooms');
    expect(out.lines).toEqual([
      expect.objectContaining({ level: 'info', context: 'NestFactory', msg: 'started' }),
      expect.objectContaining({ level: 'error', context: 'Server', msg: 'handler failed', stack: expect.stringContaining('at f') }),
      expect.objectContaining({ level: 'error', context: 'errors', err: expect.objectContaining({ type: 'Error' }) }),
      expect.objectContaining({ level: 'warn', context: 'Rooms', data: { roomId: 'r1' } }),
    ]);
    expect(out.raw.join('')).not.toContain(JWT);
    nest.setLogLevels(['error', 'warn', 'log', 'debug']);
    nest.debug('now shown', 'Rooms');
    expect(out.lines.at(-1)).toMatchObject({ level: 'debug', msg: 'now shown' });
  });
});
