import type { Metrics } from '@chat/kit';
import { Counter, Gauge, Histogram } from 'prom-client';

export function createRealtimeMetrics(metrics: Metrics, connected: () => number) {
  const registers = [metrics.registry];
  return {
    sockets: new Gauge({
      name: 'realtime_connected_sockets',
      help: 'Sockets connected to this node',
      registers,
      collect() {
        this.set(connected());
      },
    }),
    events: new Counter({
      name: 'realtime_events_total',
      help: 'Client events received, by event and outcome (ok or an error code)',
      labelNames: ['event', 'outcome'] as const,
      registers,
    }),
    ackSeconds: new Histogram({
      name: 'realtime_ack_seconds',
      help: 'Time from a client event to its ack',
      labelNames: ['event'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
  };
}

export type RealtimeMetrics = ReturnType<typeof createRealtimeMetrics>;
