/**
 * How querylens wraps a library's method so that it stays put beside other
 * instrumentations. The OpenTelemetry instrumentations (and others built on
 * shimmer) unwrap whatever shimmer-marked wrapper they find before wrapping,
 * assuming it is their own: upstream instrumentation-ioredis would remove
 * ours, and upstream instrumentation-pg, which wraps Client#query twice while
 * pg loads (at pg/lib/client.js, then at pg's main module, unwrapping its
 * first wrapper), would end up twice in the chain when ours sits between its
 * two wraps: two spans per statement in the app's own traces.
 *
 * So our wrapper carries shimmer's marks, and unwrapping it removes the
 * foreign shimmer wrapper beneath it (if any) instead of ours: whatever wraps
 * next goes around ours, and every instrumentation runs once per call. The
 * wrapper of querylens' own span instrumentation, when it lies beneath, is
 * kept (`keepBeneath`). Only querylens' own unwrapOwn() removes ours.
 */

type AnyMethod = (this: never, ...args: never[]) => unknown;
type Target = Record<PropertyKey, unknown>;

const kBeneath = Symbol('querylens.wrapper.beneath');

interface ShimmerMarked {
  readonly __wrapped?: unknown;
  readonly __original?: unknown;
}

function shimmerOriginal(fn: unknown): AnyMethod | undefined {
  const marked = fn as ShimmerMarked | undefined;
  return typeof fn === 'function' && marked?.__wrapped === true && typeof marked.__original === 'function'
    ? marked.__original as AnyMethod
    : undefined;
}

/** Like shimmer: the property keeps its enumerability and stays writable. */
function setMethod(target: object, name: string, value: unknown): void {
  const enumerable = Object.prototype.propertyIsEnumerable.call(target, name);
  Object.defineProperty(target, name, { configurable: true, enumerable, writable: true, value });
}

function install<F extends AnyMethod>(target: object, name: string, beneath: F, wrap: (original: F) => F, keepBeneath: boolean): void {
  const wrapper = wrap(beneath);
  const hidden = { configurable: true, enumerable: false, writable: false };
  Object.defineProperties(wrapper, {
    [kBeneath]: { ...hidden, value: beneath },
    __wrapped: { ...hidden, value: true },
    __original: { ...hidden, value: beneath },
    __unwrap: {
      ...hidden,
      value: () => {
        const deeper = keepBeneath ? undefined : shimmerOriginal(beneath);
        if ((target as Target)[name] === wrapper && deeper !== undefined) install(target, name, deeper as F, wrap, keepBeneath);
      },
    },
  });
  setMethod(target, name, wrapper);
}

export function wrapOwn<F extends AnyMethod>(target: object, name: string, wrap: (original: F) => F, options: { keepBeneath?: boolean } = {}): void {
  install(target, name, (target as Target)[name] as F, wrap, options.keepBeneath ?? false);
}

export function isOwnWrapper(fn: unknown): boolean {
  return typeof fn === 'function' && kBeneath in fn;
}

/** The function our wrapper calls, when `fn` is ours. */
export function beneathOwn(fn: unknown): AnyMethod | undefined {
  return isOwnWrapper(fn) ? (fn as unknown as Record<typeof kBeneath, AnyMethod>)[kBeneath] : undefined;
}

/** Removes our wrapper when it is the outermost one (a wrapper around ours keeps it, as shimmer would). */
export function unwrapOwn(target: object, name: string): void {
  const beneath = beneathOwn((target as Target)[name]);
  if (beneath !== undefined) setMethod(target, name, beneath);
}
