import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { z } from 'zod';
import { ERROR_SCHEMA_NAME, errorDoc } from './openapi-docs.js';

export const DOCS_PATH = 'docs';

/**
 * The gateway's HTTP API (PROTOCOL §7) as an OpenAPI 3 document: the UI at `/docs`, the JSON at
 * `/docs-json`. Request and response schemas come from the zod schemas of #contracts (zod 4 is a
 * Standard JSON Schema, which @nestjs/swagger 12 converts); validation stays with `parseInput`.
 */
export function setupOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('liveroom gateway')
    .setDescription(
      'HTTP API of the liveroom gateway (PROTOCOL §7). Clients authenticate with `Authorization: Bearer <jwt>` ' +
        '(HS256); anonymous callers may read. Errors answer `{ error: { code, message } }` with the status of the code. ' +
        'The realtime API (rooms, barrage, likes, gifts, co-hosting, moderation) is Socket.IO at `/socket.io` (PROTOCOL §1-6).',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  document.components ??= {};
  document.components.schemas = { ...document.components.schemas, [ERROR_SCHEMA_NAME]: errorSchema() };
  SwaggerModule.setup(DOCS_PATH, app, document, { jsonDocumentUrl: `${DOCS_PATH}-json`, customSiteTitle: 'liveroom gateway API' });
}

function errorSchema(): Record<string, unknown> {
  const { $schema: _ignored, ...schema } = z.toJSONSchema(errorDoc, { target: 'openapi-3.0' }) as Record<string, unknown>;
  return schema;
}
