/**
 * ioredis 6 (and 5.10+) publishes commands (`ioredis:command`) and MULTI
 * transactions (`ioredis:batch`) on diagnostics_channel tracing channels, and
 * only builds the context objects while someone is subscribed; this file is
 * the subscriber. Transactions are taken from here. Commands of patched
 * clients are recorded by the sendCommand patch and never published (see
 * wrapSendCommand), so the command channel records the clients of an ioredis
 * loaded before the agent.
 *
 * A subscriber that throws would surface as an uncaught exception in the app
 * (diagnostics_channel rethrows on the next tick), so every handler is guarded.
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import { reportAgentError } from '../../agent/agentErrors';
import { errorType } from './attributes';
import type { BatchRecord, CommandRecord, RedisRecorder } from './recorder';
import type { BatchChannelContext, CommandChannelContext } from './types';

const COMPONENT = 'ioredis-channels';
/** Our state rides on the context object ioredis creates for this one call; a symbol keeps it private. */
const RECORD = Symbol('querylens.ioredis.record');

type WithRecord<C, R> = C & { [RECORD]?: R };
type CommandContext = WithRecord<CommandChannelContext, CommandRecord>;
type BatchContext = WithRecord<BatchChannelContext, BatchRecord>;

interface Subscription {
  readonly start: (message: unknown) => void;
  readonly asyncEnd: (message: unknown) => void;
}

export class IoredisChannels {
  private readonly commands = diagnosticsChannel.tracingChannel('ioredis:command');
  private readonly batches = diagnosticsChannel.tracingChannel('ioredis:batch');
  private subscribed = false;

  private readonly commandHandlers: Subscription = {
    start: (message) => {
      try {
        const ctx = message as CommandContext;
        const record = this.recorder.commandStarted(ctx, ctx.command, ctx.args.length);
        if (record) ctx[RECORD] = record;
      } catch (error) {
        reportAgentError(COMPONENT, error);
      }
    },
    asyncEnd: (message) => {
      try {
        const ctx = message as CommandContext;
        const record = ctx[RECORD];
        if (record) this.recorder.commandFinished(record, ctx.error);
      } catch (error) {
        reportAgentError(COMPONENT, error);
      }
    },
  };

  private readonly batchHandlers: Pick<Subscription, 'asyncEnd'> = {
    asyncEnd: (message) => {
      try {
        const ctx = message as BatchContext;
        const record = ctx[RECORD];
        if (record) this.recorder.batchFinished(record, ctx.error === undefined ? undefined : errorType(ctx.error));
      } catch (error) {
        reportAgentError(COMPONENT, error);
      }
    },
  };

  /**
   * The batch starts in the store transform rather than a `start` handler:
   * the transform runs first and its value becomes the async context in which
   * ioredis sends the transaction's commands, so they see their batch.
   */
  private readonly startBatch = (message: unknown): BatchRecord | undefined => {
    try {
      const ctx = message as BatchContext;
      const record = this.recorder.batchStarted('MULTI', ctx.batchSize, ctx);
      ctx[RECORD] = record;
      return record;
    } catch (error) {
      reportAgentError(COMPONENT, error);
      return undefined;
    }
  };

  constructor(private readonly recorder: RedisRecorder) {}

  subscribe(): void {
    if (this.subscribed) return;
    this.subscribed = true;
    this.commands.start.subscribe(this.commandHandlers.start);
    this.commands.asyncEnd.subscribe(this.commandHandlers.asyncEnd);
    this.batches.start.bindStore(this.recorder.batches, this.startBatch);
    this.batches.asyncEnd.subscribe(this.batchHandlers.asyncEnd);
  }

  unsubscribe(): void {
    if (!this.subscribed) return;
    this.subscribed = false;
    this.commands.start.unsubscribe(this.commandHandlers.start);
    this.commands.asyncEnd.unsubscribe(this.commandHandlers.asyncEnd);
    this.batches.start.unbindStore(this.recorder.batches);
    this.batches.asyncEnd.unsubscribe(this.batchHandlers.asyncEnd);
  }
}
