import { describe, expect, it } from 'vitest';
import { affectedRowsOf, describeQueryCall, errorTypeOf, returnedRowsOf, wrapCallbackIn } from '../../instrumentations/pg/queryCall';

const noop = (): void => undefined;

describe('describeQueryCall', () => {
  it('reads every call shape pg accepts', () => {
    expect(describeQueryCall(['select 1'])).toEqual({ text: 'select 1', values: undefined, callbackIndex: -1, configCallback: false });
    expect(describeQueryCall(['select $1', [1]])).toMatchObject({ values: [1], callbackIndex: -1 });
    expect(describeQueryCall(['select $1', [1], noop])).toMatchObject({ values: [1], callbackIndex: 2 });
    expect(describeQueryCall(['select 1', noop])).toMatchObject({ values: undefined, callbackIndex: 1 });
    expect(describeQueryCall([{ text: 'select $1', values: [2] }])).toMatchObject({ text: 'select $1', values: [2] });
    expect(describeQueryCall([{ text: 'select $1' }, [3]])).toMatchObject({ values: [3] });
    expect(describeQueryCall([{ text: 'select 1', callback: noop }])).toMatchObject({ callbackIndex: -1, configCallback: true });
  });

  it('leaves submittables and calls without text alone', () => {
    expect(describeQueryCall([{ text: 'select 1', submit: noop }])).toBeUndefined();
    expect(describeQueryCall([{ name: 'prepared' }])).toBeUndefined();
    expect(describeQueryCall([undefined])).toBeUndefined();
  });

  it('wraps a config callback without mutating the app’s object', () => {
    const config = { text: 'select 1', callback: noop };
    const call = describeQueryCall([config]);
    if (!call) throw new Error('expected a call');
    const args: unknown[] = [config];
    wrapCallbackIn(args, call, () => () => 'wrapped');
    expect(config.callback).toBe(noop);
    expect((args[0] as { callback: () => string }).callback()).toBe('wrapped');
  });

  it('wraps a trailing callback in place, leaving the other arguments', () => {
    const values = [1];
    const args: unknown[] = ['select $1::int', values, noop];
    const call = describeQueryCall(args);
    if (!call) throw new Error('expected a call');
    wrapCallbackIn(args, call, () => () => 'wrapped');
    expect(args[1]).toBe(values);
    expect((args[2] as () => string)()).toBe('wrapped');
  });
});

describe('returnedRowsOf, affectedRowsOf and errorTypeOf', () => {
  const rowsOf = (result: unknown) => ({ returned: returnedRowsOf(result), affected: affectedRowsOf(result) });

  it('counts returned and affected rows, summing multi-statement results', () => {
    expect(rowsOf({ rows: [1, 2, 3], rowCount: 3 })).toEqual({ returned: 3, affected: 3 });
    expect(rowsOf({ rows: [], rowCount: 7 })).toEqual({ returned: 0, affected: 7 });
    expect(rowsOf([{ rows: [1], rowCount: 1 }, { rows: [1, 2], rowCount: 2 }])).toEqual({ returned: 3, affected: 3 });
    expect(rowsOf(undefined)).toEqual({ returned: undefined, affected: undefined });
    expect(rowsOf({ rows: [1, 2] })).toEqual({ returned: 2, affected: 2 });
    expect(rowsOf({ rowCount: 4 })).toEqual({ returned: undefined, affected: 4 });
    expect(rowsOf([null, { rowCount: 2 }, { rows: [1] }])).toEqual({ returned: 1, affected: 3 });
  });

  it('uses SQLSTATE for database errors and the class name otherwise', () => {
    expect(errorTypeOf(Object.assign(new Error('relation does not exist'), { code: '42P01' }))).toBe('42P01');
    expect(errorTypeOf(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe('Error');
    expect(errorTypeOf(new TypeError('x'))).toBe('TypeError');
    expect(errorTypeOf('a string')).toBe('Error');
  });
});
