import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, TestSystem } from '#testing';

/** The gateway's OpenAPI document (/docs-json) lists every route of PROTOCOL §7, and /docs serves the UI. */
const system = new TestSystem({ barrages: 0, moderation: false, gifting: false });
let url: string;

const PROTOCOL = join(REPO_ROOT, '../shared/PROTOCOL.md');
/** §7 as of this writing, used only where the shared PROTOCOL.md is not checked out beside the repo. */
const SECTION_7_FALLBACK = [
  'POST /v1/rooms',
  'GET /v1/rooms/{id}',
  'POST /v1/rooms/{id}/moderators',
  'POST /v1/rooms/{id}/end',
  'GET /v1/rooms/{id}/leaderboard',
  'GET /v1/gifts',
  'GET /v1/wallet',
  'POST /v1/admin/wallets/{userId}/credits',
  'GET /v1/admin/ledger/check',
  'GET /v1/admin/moderation/terms',
  'PUT /v1/admin/moderation/terms',
  'GET /healthz',
  'GET /readyz',
  'GET /metrics',
];

/** Every `METHOD /path` of §7 (a bare `METHOD` reuses the path before it), in OpenAPI's `{param}` form. */
function section7Routes(markdown: string): string[] {
  const section = markdown.split(/^## /m).find((s) => s.startsWith('7.'));
  if (!section) throw new Error('PROTOCOL.md has no section 7');
  const routes = new Set<string>();
  for (const line of section.split('\n')) {
    let path = '';
    for (const [, method, rawPath] of line.matchAll(/`(GET|POST|PUT|PATCH|DELETE)(?: (\/[^`\s?]*))?[^`]*`/g)) {
      if (rawPath) path = rawPath.replace(/:([A-Za-z]+)/g, '{$1}');
      if (path) routes.add(`${method} ${path}`);
    }
  }
  return [...routes];
}

interface Operation {
  security?: Record<string, string[]>[];
  responses: Record<string, unknown>;
}
interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes?: Record<string, { type: string; scheme?: string }> };
}

system.useInTests();

beforeAll(() => {
  url = system.gateways[0]!.url;
});

it('documents every route of PROTOCOL §7 with bearer auth', async () => {
  const expected = existsSync(PROTOCOL) ? section7Routes(readFileSync(PROTOCOL, 'utf8')) : SECTION_7_FALLBACK;
  expect(expected.length).toBeGreaterThanOrEqual(SECTION_7_FALLBACK.length);

  const res = await fetch(`${url}/docs-json`);
  expect(res.status).toBe(200);
  const doc = (await res.json()) as OpenApiDocument;
  expect(doc.openapi).toMatch(/^3\./);
  const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
  expect(documented.sort()).toEqual(expect.arrayContaining(expected.sort()));

  expect(doc.components.securitySchemes?.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  expect(doc.paths['/v1/wallet']?.get?.security).toEqual([{ bearer: [] }]);
  expect(doc.paths['/v1/admin/moderation/terms']?.put?.security).toEqual([{ bearer: [] }]);
  expect(doc.paths['/v1/rooms']?.post?.responses).toHaveProperty('201');
});

it('serves the Swagger UI at /docs', async () => {
  const res = await fetch(`${url}/docs`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/html');
  expect(await res.text()).toContain('swagger-ui');
});
