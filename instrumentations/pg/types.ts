/** The parts of node-postgres that the pg instrumentation touches. */
import type { EventEmitter } from 'node:events';

export interface PgConnectionParameters {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user?: string;
  readonly application_name?: string;
}

export type ConnectionParametersClass = new (config: unknown) => PgConnectionParameters;

export interface PgClientLike extends EventEmitter {
  readonly connectionParameters: PgConnectionParameters;
  readonly database?: string;
  query(...args: unknown[]): unknown;
}

export interface PgPoolOptions {
  max: number;
  min?: number;
  application_name?: string;
  connectionString?: string;
  host?: string;
  port?: number | string;
  database?: string;
  [key: string]: unknown;
}

export interface PgPoolLike extends EventEmitter {
  readonly options: PgPoolOptions;
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
  readonly ending: boolean;
  connect(...args: unknown[]): unknown;
  query(...args: unknown[]): unknown;
  newClient(...args: unknown[]): unknown;
  end(...args: unknown[]): unknown;
}

export type PoolClass = new (...args: unknown[]) => PgPoolLike;

export type NodeCallback = (error: unknown, ...results: unknown[]) => unknown;
