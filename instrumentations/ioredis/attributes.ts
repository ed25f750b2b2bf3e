/**
 * Attribute sets for Redis operations, with bounded vocabularies and caches so
 * the per-command hot path allocates nothing once a (target, command) pair has
 * been seen. Every cache here has a fixed cap; past it, attributes are built per
 * call (correct, just not cached) or folded into `OTHER`/`_OTHER`.
 */
import type { Attributes } from '@opentelemetry/api';
import { ATTR } from '../../core/metrics/registry';
import type { RedisOperationSink, RedisOperationTally } from '../../core/redisOperations';
import { queryText } from './statement';
import type { RedisTarget } from './types';

export const REDIS_SYSTEM = 'redis';
/** Operation name for commands outside the bounded vocabulary. */
export const OTHER_OPERATION = 'OTHER';
/** error.type for errors we cannot name within the bounded vocabulary (semconv fallback). */
export const OTHER_ERROR = '_OTHER';

const OPERATION_NAME = /^[A-Z][A-Z._|-]{0,30}$/;
/** Redis error replies start with an upper-case code: `WRONGTYPE …`, `ERR …`, `NOSCRIPT …`. */
const REPLY_ERROR_PREFIX = /^([A-Z][A-Z_]{1,30})(?: |$)/;
/** Node system errors carry libuv codes (`ECONNREFUSED`, `ETIMEDOUT`): a fixed vocabulary. */
const SYSTEM_ERROR_CODE = /^E[A-Z0-9_]{1,30}$/;
const ERROR_CLASS_NAME = /^[A-Za-z_$][A-Za-z0-9_$]{0,63}$/;

const MAX_TARGETS = 64;
const MAX_COMMANDS_PER_TARGET = 256;
const MAX_ERROR_TYPES_PER_COMMAND = 16;
const MAX_CACHED_TEXT_ARGS = 16;

export function operationName(command: string): string {
  const upper = command.toUpperCase();
  return OPERATION_NAME.test(upper) ? upper : OTHER_OPERATION;
}

/**
 * A bounded name for a failure: the Redis error code for error replies, the
 * libuv code for socket errors, else the JS error class (`MaxRetriesPerRequestError`,
 * `Error` for "Connection is closed."). Never the message: Redis echoes
 * arguments in some messages (`unknown command … with args beginning with`).
 */
export function errorType(error: unknown): string {
  if (!(error instanceof Error)) return OTHER_ERROR;
  if (isReplyError(error)) {
    const match = REPLY_ERROR_PREFIX.exec(error.message);
    return match ? match[1] : error.name;
  }
  const code: unknown = (error as { code?: unknown }).code;
  if (typeof code === 'string' && SYSTEM_ERROR_CODE.test(code)) return code;
  return ERROR_CLASS_NAME.test(error.name) ? error.name : OTHER_ERROR;
}

function targetAttributes(target: RedisTarget, operation: string): Attributes {
  const attributes: Attributes = {
    [ATTR.dbSystemName]: REDIS_SYSTEM,
    [ATTR.dbOperationName]: operation,
    [ATTR.dbNamespace]: String(target.database),
  };
  if (target.serverAddress !== undefined) attributes[ATTR.serverAddress] = target.serverAddress;
  if (target.serverPort !== undefined) attributes[ATTR.serverPort] = target.serverPort;
  return attributes;
}

/** Attributes of one operation name against one target, shared by all its calls. */
export class OperationAttributes {
  readonly attributes: Attributes;
  /** Where recording counts this operation's calls (the report's statistics). */
  readonly tally: RedisOperationTally;
  /** monotonicMs() when a call last got an answer from Redis (a value or an error reply), for /healthz. */
  lastAnsweredAt: number | undefined = undefined;
  private readonly failures = new Map<string, Attributes>();
  private readonly texts: string[] = [];

  constructor(readonly operation: string, readonly target: RedisTarget, sink: RedisOperationSink) {
    this.attributes = targetAttributes(target, operation);
    this.tally = sink.tally({ server: serverName(target), database: target.database, operation });
  }

  failed(type: string): Attributes {
    const cached = this.failures.get(type);
    if (cached) return cached;
    const attributes = { ...this.attributes, [ATTR.errorType]: type };
    if (this.failures.size < MAX_ERROR_TYPES_PER_COMMAND) this.failures.set(type, attributes);
    return attributes;
  }

  text(argCount: number): string {
    if (argCount > MAX_CACHED_TEXT_ARGS) return queryText(this.operation, argCount);
    return (this.texts[argCount] ??= queryText(this.operation, argCount));
  }
}

/** address → port → db → raw command name → attributes; capped at every level. */
export class AttributeCache {
  private readonly targets = new Map<string | undefined, Map<number | undefined, Map<number, Map<string, OperationAttributes>>>>();
  private targetCount = 0;
  /**
   * The last target object looked up and its commands: a client hands the
   * same target object to every command (see targetOfClient), so most lookups
   * skip the three levels above.
   */
  private lastTarget: RedisTarget | undefined;
  private lastCommands: Map<string, OperationAttributes> | undefined;

  constructor(private readonly sink: RedisOperationSink) {}

  /** Every cached operation (bounded by the caps above). */
  *operations(): IterableIterator<OperationAttributes> {
    for (const ports of this.targets.values()) {
      for (const databases of ports.values()) {
        for (const commands of databases.values()) yield* commands.values();
      }
    }
  }

  forCommand(target: RedisTarget, command: string): OperationAttributes {
    const commands = target === this.lastTarget ? this.lastCommands : this.commandsOf(target);
    if (!commands) return new OperationAttributes(operationName(command), target, this.sink);
    const cached = commands.get(command);
    if (cached) return cached;
    // Past the cap the names are unlikely to be real commands: fold them into one entry.
    const key = commands.size < MAX_COMMANDS_PER_TARGET ? command : OTHER_OPERATION;
    const entry = commands.get(key) ?? new OperationAttributes(operationName(key), target, this.sink);
    commands.set(key, entry);
    return entry;
  }

  private commandsOf(target: RedisTarget): Map<string, OperationAttributes> | undefined {
    let ports = this.targets.get(target.serverAddress);
    if (!ports) {
      if (this.targetCount >= MAX_TARGETS) return undefined;
      ports = new Map();
      this.targets.set(target.serverAddress, ports);
    }
    let databases = ports.get(target.serverPort);
    if (!databases) {
      if (this.targetCount >= MAX_TARGETS) return undefined;
      databases = new Map();
      ports.set(target.serverPort, databases);
    }
    let commands = databases.get(target.database);
    if (!commands) {
      if (this.targetCount >= MAX_TARGETS) return undefined;
      this.targetCount += 1;
      commands = new Map();
      databases.set(target.database, commands);
    }
    this.lastTarget = target;
    this.lastCommands = commands;
    return commands;
  }
}

/** How the report and /healthz name a target's server: `host:port`, a socket path, or `cluster` for a Cluster as a whole. */
export function serverName(target: RedisTarget): string {
  const { serverAddress, serverPort } = target;
  if (serverAddress === undefined) return 'cluster';
  return serverPort === undefined ? serverAddress : `${serverAddress}:${serverPort}`;
}

/** An error Redis itself replied with: the server answered, the command was wrong. */
export function isReplyError(error: unknown): boolean {
  return error instanceof Error && error.name === 'ReplyError';
}

/** Attributes of connection-level counters: the endpoint and, for errors, error.type. */
export function connectionAttributes(target: RedisTarget, type?: string): Attributes {
  const attributes: Attributes = { [ATTR.dbSystemName]: REDIS_SYSTEM };
  if (target.serverAddress !== undefined) attributes[ATTR.serverAddress] = target.serverAddress;
  if (target.serverPort !== undefined) attributes[ATTR.serverPort] = target.serverPort;
  if (type !== undefined) attributes[ATTR.errorType] = type;
  return attributes;
}
