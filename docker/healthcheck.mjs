// The image's HEALTHCHECK: GET /readyz of the app named by APP on its port (the same variables and
// defaults as the apps' config). Exit 0 when ready, 1 otherwise (also while a gateway drains).
const PORTS = {
  gateway: ['GATEWAY_PORT', 3000],
  barrage: ['BARRAGE_PORT', 3011],
  gifting: ['GIFTING_PORT', 3012],
  moderation: ['MODERATION_PORT', 3013],
  cohost: ['COHOST_PORT', 3014],
};

const app = process.env.APP ?? '';
const entry = PORTS[app];
if (!entry) {
  console.error(`healthcheck: unknown APP '${app}'`);
  process.exit(1);
}
const [variable, fallback] = entry;
const port = Number(process.env[variable] ?? fallback);
try {
  const res = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2500) });
  if (!res.ok) console.error(`healthcheck: ${app} /readyz answered ${res.status}`);
  process.exit(res.ok ? 0 : 1);
} catch (error) {
  console.error(`healthcheck: ${app} on :${port}: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
