/**
 * What an operand is worth: a constant written in the text, or the value an
 * execution bound to a `$n` (read in memory, never kept).
 */
import { str, withoutCasts } from './nodeReaders';
import { asNode, isObject, type Fields } from './parseTree';

export type ConstValue =
  | { readonly kind: 'null' }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'boolean'; readonly value: boolean };

/**
 * The value of an A_Const. libpg-query omits protobuf defaults, so `0` is
 * `{ ival: {} }` and `false` is `{ boolval: {} }`.
 */
export function constValue(aConst: Fields): ConstValue {
  if (aConst['isnull'] === true) return { kind: 'null' };
  const inner = (name: string): Fields | undefined => {
    const value = aConst[name];
    return isObject(value) ? value : undefined;
  };
  const ival = inner('ival');
  if (ival !== undefined) return { kind: 'number', value: typeof ival['ival'] === 'number' ? ival['ival'] : 0 };
  const fval = inner('fval');
  if (fval !== undefined) return { kind: 'number', value: Number(str(fval, 'fval') ?? '0') };
  const boolval = inner('boolval');
  if (boolval !== undefined) return { kind: 'boolean', value: boolval['boolval'] === true };
  const sval = inner('sval');
  if (sval !== undefined) return { kind: 'string', value: str(sval, 'sval') ?? '' };
  const bsval = inner('bsval');
  return { kind: 'string', value: bsval === undefined ? '' : (str(bsval, 'bsval') ?? '') };
}

/** What an operand is known to be worth: a literal in the text, or a bound value. */
export type OperandValue =
  | { readonly origin: 'literal'; readonly value: ConstValue }
  | { readonly origin: 'bound'; readonly value: unknown; readonly param: number };

/**
 * The value of an operand when the statement fixes it: an A_Const, or a
 * `$n` whose value is bound (casts are looked through). Undefined for
 * columns, expressions, and parameters without values.
 */
export function operandValue(node: unknown, values: readonly unknown[] | undefined): OperandValue | undefined {
  const bare = withoutCasts(node);
  const aConst = asNode(bare, 'A_Const');
  if (aConst !== undefined) return { origin: 'literal', value: constValue(aConst) };
  const param = asNode(bare, 'ParamRef');
  const number = param === undefined ? undefined : param['number'];
  if (typeof number !== 'number' || values === undefined || number < 1 || number > values.length) return undefined;
  return { origin: 'bound', value: values[number - 1], param: number };
}

/** A number from a literal or a bound value (pg sends numbers as numbers, bigints or numeric strings). */
export function numericValue(operand: OperandValue | undefined): number | undefined {
  if (operand === undefined) return undefined;
  const raw: unknown = operand.origin === 'literal' ? (operand.value.kind === 'number' ? operand.value.value : undefined) : operand.value;
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : undefined;
  if (typeof raw === 'bigint') return Number(raw);
  if (typeof raw === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(raw)) return Number(raw);
  return undefined;
}

/** A string from a literal or a bound value. */
export function stringValue(operand: OperandValue | undefined): string | undefined {
  if (operand === undefined) return undefined;
  if (operand.origin === 'bound') return typeof operand.value === 'string' ? operand.value : undefined;
  return operand.value.kind === 'string' ? operand.value.value : undefined;
}
