import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { z } from 'zod';
import { ERROR_CODES, idSchema } from '#contracts';

/**
 * OpenAPI decorators shared by the gateway's controllers. Schemas are zod (Standard JSON Schema),
 * converted by @nestjs/swagger; those below exist for the document only, where #contracts has a
 * TypeScript type but no runtime schema.
 */

export const createdRoomDoc = z.object({ id: idSchema, title: z.string(), hostId: idSchema, createdAt: z.string().describe('ISO 8601') });

export const roomInfoDoc = z.object({
  id: idSchema,
  title: z.string(),
  hostId: idSchema,
  live: z.boolean(),
  seq: z.number().int().describe('seq of the latest room event'),
  viewers: z.number().int(),
  likes: z.number().int(),
  slowModeSec: z.number().int(),
  cohosts: z.array(idSchema),
});

/** `{ error: { code, message } }`, registered once as the `Error` component (see openapi.ts). */
export const ERROR_SCHEMA_NAME = 'Error';
export const errorDoc = z.object({
  error: z.object({ code: z.enum(ERROR_CODES), message: z.string(), retryAfterMs: z.number().int().optional() }),
});

const STATUS_TEXT: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHORIZED: missing, invalid or expired token',
  403: 'FORBIDDEN: not allowed for this caller',
  404: 'not found (ROOM_NOT_FOUND, ...)',
  409: 'conflict (IDEMPOTENCY_CONFLICT, ...)',
  429: 'RATE_LIMITED',
  503: 'UNAVAILABLE: a backend service did not answer; retry later',
};

/** The error answers of an operation: `{ error: { code, message } }` with these statuses. */
export function ApiErrors(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) => ApiResponse({ status, description: STATUS_TEXT[status] ?? 'error', schema: { $ref: getSchemaPath(ERROR_SCHEMA_NAME) } })),
  );
}

/** An operation that needs `Authorization: Bearer <jwt>` (a user, or an admin). */
export function ApiAuth(): MethodDecorator & ClassDecorator {
  return applyDecorators(ApiBearerAuth('bearer'), ApiErrors(401));
}
