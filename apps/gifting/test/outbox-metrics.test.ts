import { MetricsRegistry } from '#observability';
import { Gifting, cleanup, isolation } from './harness.js';

/** Outbox lag on /metrics (the Grafana dashboard's outbox panels): backlog, oldest age, dispatch latency. */
const env = isolation();

afterAll(async () => {
  await cleanup(env);
});

async function metrics(g: Gifting): Promise<Map<string, number>> {
  const text = await g.app.get(MetricsRegistry).render();
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(liveroom_gifting_outbox_[a-z_]+(?:\{le="\+Inf"\})?) (\S+)$/.exec(line);
    if (m) values.set(m[1]!, Number(m[2]));
  }
  return values;
}

it('reports the undispatched backlog and its age at scrape time, and the dispatch latency per row', async () => {
  const g = await Gifting.start({ DATABASE_URL: env.DATABASE_URL, KEY_PREFIX: env.KEY_PREFIX, OUTBOX_RELAY: '0' });
  try {
    await g.openRoom('r1', 'host1');
    await g.credit('u1', 10_000);
    let m = await metrics(g);
    expect(m.get('liveroom_gifting_outbox_pending')).toBe(0);
    expect(m.get('liveroom_gifting_outbox_oldest_age_seconds')).toBe(0);
    expect(m.get('liveroom_gifting_outbox_dispatch_seconds_count')).toBe(0);

    await g.send('u1', { roomId: 'r1', giftId: 'rocket', count: 1 });
    await g.send('u1', { roomId: 'r1', giftId: 'rocket', count: 2 });
    await new Promise((r) => setTimeout(r, 1100)); // past the scrape's reuse of the last backlog read
    m = await metrics(g);
    expect(m.get('liveroom_gifting_outbox_pending')).toBe(2);
    expect(m.get('liveroom_gifting_outbox_oldest_age_seconds')).toBeGreaterThanOrEqual(1);
    expect(m.get('liveroom_gifting_outbox_oldest_age_seconds')).toBeLessThan(30);

    expect(await g.relay.runOnce()).toMatchObject({ dispatched: 2 });
    await new Promise((r) => setTimeout(r, 1100));
    m = await metrics(g);
    expect(m.get('liveroom_gifting_outbox_pending')).toBe(0);
    expect(m.get('liveroom_gifting_outbox_oldest_age_seconds')).toBe(0);
    expect(m.get('liveroom_gifting_outbox_dispatch_seconds_count')).toBe(2);
    expect(m.get('liveroom_gifting_outbox_dispatch_seconds_bucket{le="+Inf"}')).toBe(2);
    // Each row waited at least the second above before the relay took it.
    expect(m.get('liveroom_gifting_outbox_dispatch_seconds_sum')).toBeGreaterThanOrEqual(2);
    expect(m.get('liveroom_gifting_outbox_dispatch_seconds_sum')).toBeLessThan(60);
  } finally {
    await g.close();
  }
});
