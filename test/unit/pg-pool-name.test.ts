import { describe, expect, it } from 'vitest';
import { PoolNameAllocator, basePoolName, resolvePoolTarget } from '../../instrumentations/pg/poolName';

// pg's own resolver, as the instrumentation captures it when pg loads.
const ConnectionParameters = require('pg/lib/connection-parameters');

describe('pool names', () => {
  it('resolves connection strings with pg’s own parser', () => {
    const target = resolvePoolTarget({ max: 10, connectionString: 'postgres://u:secret@db.internal:6543/orders?sslmode=disable' }, ConnectionParameters);
    expect(target).toEqual({ host: 'db.internal', port: 6543, database: 'orders' });
    expect(basePoolName({ max: 10 }, target)).toBe('db.internal:6543/orders');
  });

  it('resolves field configs, and prefers application_name', () => {
    const options = { max: 10, host: '10.0.0.5', port: 5433, database: 'billing', user: 'app' };
    const target = resolvePoolTarget(options, ConnectionParameters);
    expect(basePoolName(options, target)).toBe('10.0.0.5:5433/billing');
    expect(basePoolName({ ...options, application_name: 'billing-writer' }, target)).toBe('billing-writer');
  });

  it('never puts the password in the name', () => {
    const options = { max: 1, connectionString: 'postgres://u:hunter2@h:1/d' };
    expect(basePoolName(options, resolvePoolTarget(options, ConnectionParameters))).not.toContain('hunter2');
  });

  it('gives two live pools to one target distinct names and reuses freed ones', () => {
    const names = new PoolNameAllocator();
    expect(names.allocate('h:5432/d')).toBe('h:5432/d');
    expect(names.allocate('h:5432/d')).toBe('h:5432/d#2');
    expect(names.allocate('h:5432/d')).toBe('h:5432/d#3');
    names.release('h:5432/d#2');
    expect(names.allocate('h:5432/d')).toBe('h:5432/d#2');
    names.release('h:5432/d');
    expect(names.allocate('h:5432/d')).toBe('h:5432/d');
  });

  it('never hands out a name another base already holds', () => {
    const names = new PoolNameAllocator();
    expect(names.allocate('x')).toBe('x');
    expect(names.allocate('x')).toBe('x#2');
    // An application_name that is itself `x#2`.
    expect(names.allocate('x#2')).toBe('x#2#2');
    const other = new PoolNameAllocator();
    expect(other.allocate('x#2')).toBe('x#2');
    expect(other.allocate('x')).toBe('x');
    expect(other.allocate('x')).toBe('x#3');
    other.release('x#2');
    expect(other.allocate('x')).toBe('x#2');
  });
});
