/** Redis operations through ioredis: errors, latency, connection errors. */
import { METRICS } from '../../../../core/metrics/registry';
import { DB_SYSTEM, LABEL } from '../../../shared/labels';
import type { AlertSpec } from '../alertSpec';
import { above } from '../alertSpec';
import { EVAL_TIME, SAMPLES, SINGLE_EVENT } from '../fixtures';
import type { RuleContext } from '../ruleContext';
import { TARGET } from '../ruleContext';
import { RATE_WINDOW, THRESHOLDS } from '../thresholds';
import { errorRatioAlert } from './databaseErrors';
import { p99LatencyAlert } from './databaseLatency';

export function redisAlerts(ctx: RuleContext): AlertSpec[] {
  const { q, fx } = ctx;
  // Error types are only known when they happen: see sumIncreaseWithLateLabel.
  const connectionErrors = q.sumIncreaseWithLateLabel(TARGET, METRICS.redisConnectionErrors.scraped, RATE_WINDOW, LABEL.errorType);
  const server = { [LABEL.serverAddress]: 'cache-1', [LABEL.serverPort]: '6379' };
  const exportedAtZero = fx.counter(METRICS.redisConnectionErrors.scraped, server, 0);
  const refused = (values: string) => fx.series(METRICS.redisConnectionErrors.scraped, { ...server, [LABEL.errorType]: 'ECONNREFUSED' }, values);
  return [
    errorRatioAlert(ctx, 'QuerylensRedisErrorRateHigh', DB_SYSTEM.redis, 'Redis', 'ReplyError'),
    // 0.1 + (0.5 - 0.1) * 0.99: interpolated inside the (0.1, 0.5] bucket.
    p99LatencyAlert(ctx, 'QuerylensRedisLatencyHigh', DB_SYSTEM.redis, 'Redis', THRESHOLDS.redisP99Seconds, '496ms'),
    {
      name: 'QuerylensRedisConnectionErrors',
      signal: connectionErrors,
      levels: [{ severity: 'warning', expr: above(connectionErrors, 0), for: '2m' }],
      summary: 'ioredis clients cannot keep their connection to Redis.',
      description: (t) => `ioredis clients on ${t.label(LABEL.instance)} had ${t.value} connection errors in the last ${RATE_WINDOW}: Redis is down, unreachable or refusing clients.`,
      valueFormat: 'humanize',
      cases: [
        { name: 'connection errors of a type seen before', series: [exportedAtZero, refused(`0+2x${SAMPLES}`)], evalTime: EVAL_TIME,
          firing: [{ severity: 'warning', labels: fx.target(), value: '10' }] },
        { name: 'the first connection error, of a type not seen before', series: [exportedAtZero, refused(SINGLE_EVENT.bornAtIt)],
          evalTime: SINGLE_EVENT.evalTime, firing: [{ severity: 'warning', labels: fx.target(), value: '1' }] },
        { name: 'the first connection error, the server not exported at 0', series: [refused(SINGLE_EVENT.bornAtIt)],
          evalTime: SINGLE_EVENT.evalTime, firing: [] },
        { name: 'a window after the first connection error', series: [exportedAtZero, refused(SINGLE_EVENT.bornAtIt)],
          evalTime: SINGLE_EVENT.settled, firing: [] },
        { name: 'no connection errors', series: [exportedAtZero], evalTime: EVAL_TIME, firing: [] },
      ],
    },
  ];
}
