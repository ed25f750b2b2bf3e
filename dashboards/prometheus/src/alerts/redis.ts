/** Redis operations through ioredis: errors, latency, connection errors. */
import { METRICS } from '../../../../core/metrics/registry';
import { DB_SYSTEM, LABEL } from '../../../shared/labels';
import type { AlertSpec } from '../alertSpec';
import { above } from '../alertSpec';
import { EVAL_TIME } from '../fixtures';
import type { RuleContext } from '../ruleContext';
import { TARGET } from '../ruleContext';
import { RATE_WINDOW, THRESHOLDS } from '../thresholds';
import { errorRatioAlert } from './databaseErrors';
import { p99LatencyAlert } from './databaseLatency';

export function redisAlerts(ctx: RuleContext): AlertSpec[] {
  const { q, fx } = ctx;
  const connectionErrors = `${q.sumRate(TARGET, METRICS.redisConnectionErrors.scraped, RATE_WINDOW)} * 60`;
  return [
    errorRatioAlert(ctx, 'QuerylensRedisErrorRateHigh', DB_SYSTEM.redis, 'Redis', 'ReplyError'),
    // 0.1 + (0.5 - 0.1) * 0.99: interpolated inside the (0.1, 0.5] bucket.
    p99LatencyAlert(ctx, 'QuerylensRedisLatencyHigh', DB_SYSTEM.redis, 'Redis', THRESHOLDS.redisP99Seconds, '496ms'),
    {
      name: 'QuerylensRedisConnectionErrors',
      signal: connectionErrors,
      levels: [{ severity: 'warning', expr: above(connectionErrors, 0), for: '2m' }],
      summary: 'ioredis clients cannot keep their connection to Redis.',
      description: (t) => `ioredis clients on ${t.label(LABEL.instance)} report ${t.value} connection errors per minute: Redis is down, unreachable or refusing clients.`,
      valueFormat: 'humanize',
      cases: [
        { name: 'connection errors', series: [fx.counter(METRICS.redisConnectionErrors.scraped, {}, 2)], evalTime: EVAL_TIME,
          firing: [{ severity: 'warning', labels: fx.target(), value: '2' }] },
        { name: 'no connection errors', series: [fx.counter(METRICS.redisConnectionErrors.scraped, {}, 0)],
          evalTime: EVAL_TIME, firing: [] },
      ],
    },
  ];
}
