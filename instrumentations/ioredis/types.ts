/**
 * Shapes querylens relies on from ioredis. They are structural on purpose: the
 * agent must not need ioredis' own typings at runtime, and the same shapes
 * describe the prototypes we patch in ioredis 5 and 6.
 */
import type { InstrumentationConfig } from '@opentelemetry/instrumentation';
import type { RedisOperationSink } from '../../core/redisOperations';

export interface IoredisInstrumentationConfig extends InstrumentationConfig {
  /**
   * Make spans (default true). The agent sets false when it exports no
   * traces: a span for nobody costs a context lookup and a span object on
   * every command, as the upstream pg instrumentation is then not loaded at all.
   */
  spans?: boolean;
  /** Where each operation's calls are counted for the report (recording's RedisStatistics); by default nowhere. */
  operations?: RedisOperationSink;
}

/** Where a command went: the client's configured endpoint and selected db. */
export interface RedisTarget {
  /** Undefined for a Cluster as a whole: its commands are recorded per node, its batches without. */
  readonly serverAddress: string | undefined;
  /** Undefined for a Unix socket. */
  readonly serverPort: number | undefined;
  readonly database: number;
}

export type BatchKind = 'PIPELINE' | 'MULTI';

/** What querylens reads from a queued ioredis `Command`. */
export interface QueuedCommand {
  readonly name: string;
  readonly args: readonly unknown[];
}

/** An ioredis `Command` being sent, whose settlement the patch observes. */
export interface SentCommand extends QueuedCommand {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** The parts of an ioredis `Pipeline` the batch patch reads and wraps. */
export interface PipelineLike {
  readonly redis: RedisClientLike;
  readonly isCluster?: boolean;
  readonly _queue: readonly QueuedCommand[];
  readonly _transactions: number;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** The parts of an ioredis `Redis` client the connection patches read. */
export interface RedisClientLike {
  readonly options?: {
    readonly host?: string;
    readonly port?: number;
    readonly path?: string;
    readonly db?: number;
  };
  readonly condition?: { readonly select?: number } | null;
  readonly status?: string;
  readonly manuallyClosing?: boolean;
  /** Set on Cluster instances (and the pipelines of a Cluster). */
  readonly isCluster?: boolean;
}

/** A prototype whose methods we wrap, seen as a bag of properties. */
export type PatchablePrototype = Record<string, unknown>;

/** A class whose prototype we wrap. */
export interface PatchableClass {
  readonly prototype: PatchablePrototype;
}

/** The module exports of ioredis (CommonJS `module.exports`, or the ESM default). */
export interface IoredisModule {
  readonly Redis?: PatchableClass;
  readonly Cluster?: PatchableClass;
  readonly Pipeline?: PatchableClass;
}
