/**
 * Failover benchmark client process (forked by failover.ts): `count` @liveroom/sdk clients, each
 * joined to one room, checking their streams (gaps, duplicates) and timing their resume after the
 * master kills their gateway.
 */
import { LiveroomClient } from '#sdk';
import { SignJWT } from 'jose';

export interface FailoverTask {
  index: number;
  urls: string[];
  rooms: string[];
  count: number;
  jwtSecret: string;
}

export interface ClientOutcome {
  roomId: string;
  lastSeq: number;
  firstSeq: number;
  gaps: number;
  duplicates: number;
  /** ms from the kill to the room stream's resume on another gateway; null if it never resumed. */
  resumeMs: number | null;
  /** ms from the kill to the new connection (the rest of resumeMs is the rejoin). */
  connectedMs: number | null;
  url: string | null;
}

interface Tracked extends ClientOutcome {
  client: LiveroomClient;
}

const tracked: Tracked[] = [];
let killedAt = 0;

async function start(task: FailoverTask): Promise<{ joined: number; urls: Record<string, number> }> {
  const key = new TextEncoder().encode(task.jwtSecret);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < task.count) {
      const i = next++;
      const roomId = task.rooms[i % task.rooms.length] as string;
      const userId = `fo${task.index}-${i}`;
      const token = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(userId).setExpirationTime('2h').sign(key);
      const client = new LiveroomClient({ urls: task.urls, token, affinityKey: roomId, ackTimeoutMs: 10_000, connectTimeoutMs: 60_000 });
      const t: Tracked = { client, roomId, lastSeq: 0, firstSeq: 0, gaps: 0, duplicates: 0, resumeMs: null, connectedMs: null, url: null };
      client.on('connected', () => {
        if (killedAt > 0 && t.connectedMs === null) t.connectedMs = Date.now() - killedAt;
      });
      client.on('resumed', () => {
        if (killedAt > 0 && t.resumeMs === null) t.resumeMs = Date.now() - killedAt;
      });
      const ack = await client.join(roomId, {
        onEvents: (events) => {
          for (const e of events) {
            if (t.lastSeq > 0 && e.seq <= t.lastSeq) t.duplicates++;
            else {
              if (t.lastSeq > 0 && e.seq !== t.lastSeq + 1) t.gaps += e.seq - t.lastSeq - 1;
              t.lastSeq = e.seq;
            }
          }
        },
      });
      t.firstSeq = ack.room.seq;
      if (t.lastSeq === 0) t.lastSeq = ack.room.seq;
      t.url = client.url;
      tracked.push(t);
    }
  };
  await Promise.all(Array.from({ length: 50 }, lane));
  const urls: Record<string, number> = {};
  for (const t of tracked) urls[t.url ?? 'none'] = (urls[t.url ?? 'none'] ?? 0) + 1;
  return { joined: tracked.length, urls };
}

process.on('message', (msg: { task?: FailoverTask; killedAt?: number; report?: true }) => {
  if (msg.task) void start(msg.task).then((ready) => process.send?.({ ready }));
  if (msg.killedAt) killedAt = msg.killedAt;
  if (msg.report) {
    const outcomes: ClientOutcome[] = tracked.map(({ client, ...o }) => ({ ...o, url: client.url }));
    for (const t of tracked) t.client.close();
    process.send?.({ outcomes }, () => process.exit(0));
  }
});
