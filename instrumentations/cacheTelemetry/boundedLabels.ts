/**
 * A label vocabulary with a cap: the first `capacity` distinct values are kept
 * as they are, later ones become `other`, so a label can never grow the number
 * of series without bound.
 */
export const OVERFLOW_LABEL = 'other';

export class BoundedLabels {
  readonly #known = new Set<string>();

  constructor(readonly capacity: number) {}

  resolve(label: string): string {
    if (this.#known.has(label)) return label;
    if (this.#known.size >= this.capacity) return OVERFLOW_LABEL;
    this.#known.add(label);
    return label;
  }
}
