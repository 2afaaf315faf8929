import type { LoggerService, LogLevel } from '@nestjs/common';
import type pino from 'pino';
import { type AppLogger, initLogging, type LoggerOptions, pinoLevelOf } from './logging.js';
import { scrubText } from './redaction.js';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

const STACK = /\n\s+at /;

/**
 * Nest's logger interface on top of pino: `new Logger('Ctx').warn('text')` from anywhere in an
 * app becomes `{"level":"warn","context":"Ctx","msg":"text",...}`. Nest passes the context as the
 * last string argument and, for errors, a stack before it (see @nestjs/common Logger).
 */
export class PinoLoggerService implements LoggerService {
  constructor(readonly logger: AppLogger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  setLogLevels(levels: LogLevel[]): void {
    this.logger.level = pinoLevelOf(levels);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    if (!this.logger.isLevelEnabled(level)) return;
    const rest = [...params];
    const fields: Record<string, unknown> = {};
    const last = rest.at(-1);
    if (typeof last === 'string' && !(rest.length === 1 && STACK.test(last))) fields.context = rest.pop();
    const stack = rest.findIndex((p) => typeof p === 'string' && STACK.test(p));
    if (stack >= 0) fields.stack = scrubText(String(rest.splice(stack, 1)[0]));
    const extra = rest.filter((p) => p !== undefined).map((p) => (typeof p === 'string' ? scrubText(p) : p));
    if (extra.length > 0) fields.params = extra;
    const log: pino.LogFn = this.logger[level].bind(this.logger);
    if (message instanceof Error) {
      log({ ...fields, err: message }, message.message);
    } else if (typeof message === 'string') {
      log(fields, message);
    } else {
      log({ ...fields, data: message });
    }
  }
}

/** initLogging + the Nest adapter over it: `NestFactory.create(module, { logger: initNestLogger(...) })`. */
export function initNestLogger(options: LoggerOptions): PinoLoggerService {
  return new PinoLoggerService(initLogging(options));
}
