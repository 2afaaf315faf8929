import { monitorEventLoopDelay, performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { WindowReadings } from './ipc.js';
import { readSchedWaitNs } from './stats.js';

const ELD_RESOLUTION_MS = 5;

/** Measures a loadgen worker's own cost over the window, so a saturated loadgen shows in the report. */
export class WindowProbe {
  // The histogram records whole timer intervals, so the sampling resolution is subtracted from readings.
  private readonly eld = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
  private cpuStart: NodeJS.CpuUsage | undefined;
  private eluStart: EventLoopUtilization | undefined;
  private waitStartNs = NaN;
  private result: WindowReadings = {
    cpuUserMs: 0,
    cpuSystemMs: 0,
    eventLoopDelayP99Ms: 0,
    eventLoopDelayMaxMs: 0,
    eventLoopUtilization: 0,
    cpuWaitSec: NaN,
  };

  begin(): void {
    this.cpuStart = process.cpuUsage();
    this.eluStart = performance.eventLoopUtilization();
    this.waitStartNs = readSchedWaitNs('self');
    this.eld.reset();
    this.eld.enable();
  }

  end(): void {
    this.eld.disable();
    const cpu = this.cpuStart ? process.cpuUsage(this.cpuStart) : { user: 0, system: 0 };
    this.result = {
      cpuUserMs: cpu.user / 1000,
      cpuSystemMs: cpu.system / 1000,
      eventLoopDelayP99Ms: Math.max(0, this.eld.percentile(99) / 1e6 - ELD_RESOLUTION_MS),
      eventLoopDelayMaxMs: Math.max(0, this.eld.max / 1e6 - ELD_RESOLUTION_MS),
      eventLoopUtilization: this.eluStart ? performance.eventLoopUtilization(this.eluStart).utilization : 0,
      cpuWaitSec: (readSchedWaitNs('self') - this.waitStartNs) / 1e9,
    };
  }

  /** The readings of the last begin()..end() (zeros before the window ended). */
  readings(): WindowReadings {
    return this.result;
  }
}
