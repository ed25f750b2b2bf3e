/**
 * Pool names as the semantic conventions want them: the user's
 * application_name when given, else `host:port/database` from the real
 * connection parameters (connection strings and PG* variables included).
 */
import type { ConnectionParametersClass, PgPoolOptions } from './types';

export interface PoolTarget {
  readonly host: string;
  readonly port: number;
  readonly database: string;
}

export function resolvePoolTarget(options: PgPoolOptions, ConnectionParameters: ConnectionParametersClass | undefined): PoolTarget {
  if (ConnectionParameters) {
    const params = new ConnectionParameters(options);
    return { host: params.host, port: Number(params.port), database: params.database };
  }
  // Without pg's own resolver (not loaded yet): the explicit fields and pg's defaults.
  const env = process.env;
  return {
    host: options.host ?? env.PGHOST ?? 'localhost',
    port: Number(options.port ?? env.PGPORT ?? 5432),
    database: options.database ?? env.PGDATABASE ?? env.PGUSER ?? env.USER ?? '',
  };
}

export function basePoolName(options: PgPoolOptions, target: PoolTarget): string {
  const explicit = typeof options.application_name === 'string' ? options.application_name.trim() : '';
  return explicit !== '' ? explicit : `${target.host}:${target.port}/${target.database}`;
}

function nameOf(base: string, ordinal: number): string {
  return ordinal === 1 ? base : `${base}#${ordinal}`;
}

/** Hands out `name`, `name#2`, `name#3`… so two live pools never share a series. */
export class PoolNameAllocator {
  /** Ordinals in use per base name, and what each handed-out name was made of. */
  private readonly inUse = new Map<string, Set<number>>();
  private readonly handedOut = new Map<string, { readonly base: string; readonly ordinal: number }>();

  allocate(base: string): string {
    let taken = this.inUse.get(base);
    if (!taken) {
      taken = new Set();
      this.inUse.set(base, taken);
    }
    // A name can also be taken by another base: `x#2` is both the second pool
    // named `x` and the first whose application_name is `x#2`.
    let ordinal = 1;
    while (taken.has(ordinal) || this.handedOut.has(nameOf(base, ordinal))) ordinal += 1;
    taken.add(ordinal);
    const name = nameOf(base, ordinal);
    this.handedOut.set(name, { base, ordinal });
    return name;
  }

  release(name: string): void {
    const origin = this.handedOut.get(name);
    if (!origin) return;
    this.handedOut.delete(name);
    const taken = this.inUse.get(origin.base);
    taken?.delete(origin.ordinal);
    if (taken?.size === 0) this.inUse.delete(origin.base);
  }
}
