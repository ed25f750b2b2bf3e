import { describe, expect, it } from 'vitest';
import { AnalysisBudget } from '../../recording/analysisBudget';

describe('AnalysisBudget', () => {
  it('grants analyses until the window’s time is spent, then refuses and counts until the next window', () => {
    let now = 0;
    const budget = new AnalysisBudget({ maxMsPerWindow: 10, windowMs: 1000, now: () => now });
    const first = budget.begin();
    expect(first).toBe(0);
    now = 6;
    budget.end(first as number);
    const second = budget.begin();
    expect(second).toBe(6);
    now = 12;
    budget.end(second as number);
    expect(budget.begin()).toBeUndefined();
    expect(budget.begin()).toBeUndefined();
    expect(budget.deferred).toBe(2);
    now = 1000;
    expect(budget.begin()).toBe(1000);
  });
});
