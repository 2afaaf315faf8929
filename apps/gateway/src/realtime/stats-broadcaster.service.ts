import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { type RoomStatsFrame, SERVER_EVENTS } from '#contracts';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config.js';
import { FanoutService } from '../fanout/fanout.service.js';
import { RoomStatsService } from '../rooms/room-stats.service.js';

/** room:stats: at most once per interval per room (emits at least STATS_INTERVAL_MS apart), and only when viewers or likes changed. */
@Injectable()
export class StatsBroadcasterService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('stats');
  private readonly lastSent = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  /** When the last tick emitted: ticks read Redis first, and a slower read must not bring the next emit closer. */
  private lastEmitAt = 0;

  constructor(
    private readonly fanout: FanoutService,
    private readonly stats: RoomStatsService,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.tick(), this.config.STATS_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const rooms = [...this.fanout.localViewers()].filter(([, n]) => n > 0).map(([roomId]) => roomId);
      for (const roomId of this.lastSent.keys()) if (!rooms.includes(roomId)) this.lastSent.delete(roomId);
      const stats = await this.stats.stats(rooms);
      const early = this.lastEmitAt + this.config.STATS_INTERVAL_MS - Date.now();
      if (early > 0) await new Promise((resolve) => setTimeout(resolve, early).unref());
      if (!this.timer) return; // shut down meanwhile
      this.lastEmitAt = Date.now();
      for (const [roomId, s] of stats) {
        const frame: RoomStatsFrame = { roomId, viewers: s.viewers, likes: s.likes };
        const json = JSON.stringify(frame);
        if (this.lastSent.get(roomId) === json) continue;
        this.lastSent.set(roomId, json);
        this.fanout.emitToRoom(roomId, SERVER_EVENTS.roomStats, json);
      }
    } catch (error) {
      this.logger.warn(`room:stats skipped: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.running = false;
    }
  }
}
