/** The call site read off the stack: the app's frame, its path as shown, and the app's own stack traces untouched. */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureCallSite } from '../../instrumentations/pg/callSiteCapture';
import { shownPath } from '../../core/callSite';
import { CallSiteSampler, FIRST_SAMPLES, MAX_TEXTS, SAMPLE_EVERY } from '../../instrumentations/pg/callSiteSampler';
import { createRequire } from 'node:module';
import { ROOT } from '../helpers/agentProcess';

const CALLER = join(ROOT, 'test', 'fixtures', 'callSiteCaller.cjs');
const { callLibrary } = createRequire(__filename)(CALLER) as { callLibrary: <T>(library: () => T) => T };

function libraryCall(): ReturnType<typeof captureCallSite> {
  return captureCallSite(libraryCall, ROOT);
}

describe('captureCallSite', () => {
  it('names the first frame above the skipped function, relative to the app root', () => {
    const site = callLibrary(libraryCall);
    const line = readFileSync(CALLER, 'utf8').split('\n').findIndex((text) => text.endsWith('// site:caller')) + 1;
    expect(site).toEqual({ file: 'test/fixtures/callSiteCaller.cjs', line, column: 10, function: 'callLibrary' });
  });

  it('answers one object per place in the app, however many statements are sent from it', () => {
    const first = callLibrary(libraryCall);
    expect(callLibrary(libraryCall)).toBe(first);
    expect(libraryCall()).not.toBe(first);
    expect(libraryCall()).not.toEqual(first);
  });

  it('leaves the app\'s prepareStackTrace and stackTraceLimit as they were, and its stacks unchanged', () => {
    const own = (error: Error, frames: NodeJS.CallSite[]) => `custom ${error.message} ${frames.length}`;
    const before = { prepare: Error.prepareStackTrace, limit: Error.stackTraceLimit };
    Error.prepareStackTrace = own;
    Error.stackTraceLimit = 3;
    try {
      expect(callLibrary(libraryCall)?.function).toBe('callLibrary');
      expect(Error.prepareStackTrace).toBe(own);
      expect(Error.stackTraceLimit).toBe(3);
      expect(new Error('boom').stack).toBe('custom boom 3');
    } finally {
      Error.prepareStackTrace = before.prepare;
      Error.stackTraceLimit = before.limit;
    }
    const stack = new Error('plain').stack!;
    expect(stack.split('\n')[0]).toBe('Error: plain');
    expect(stack).toContain('call-site-capture.test.ts');
  });
});

describe('shownPath', () => {
  it('is relative inside the app root and only the folder and file outside it', () => {
    expect(shownPath(resolve('/srv/app/src/orders.js'), '/srv/app')).toBe('src/orders.js');
    expect(shownPath(resolve('/home/someone/lib/shared/db.js'), '/srv/app')).toBe('shared/db.js');
  });
});

describe('CallSiteSampler', () => {
  it('samples the first executions of a text, then one in SAMPLE_EVERY', () => {
    const sampler = new CallSiteSampler(true);
    const decisions = Array.from({ length: SAMPLE_EVERY * 2 + 1 }, () => sampler.shouldCapture('SELECT 1'));
    expect(decisions.slice(0, FIRST_SAMPLES).every(Boolean)).toBe(true);
    expect(decisions.filter(Boolean).length).toBe(FIRST_SAMPLES + 2);
    expect(decisions[SAMPLE_EVERY]).toBe(true);
    expect(sampler.shouldCapture('SELECT 2')).toBe(true);
  });

  it('never samples when call sites are off', () => {
    const sampler = new CallSiteSampler(false);
    expect(Array.from({ length: 20 }, () => sampler.shouldCapture('SELECT 1')).some(Boolean)).toBe(false);
  });

  it('stays bounded: past MAX_TEXTS distinct texts it starts over', () => {
    const sampler = new CallSiteSampler(true);
    for (let index = 0; index < MAX_TEXTS; index += 1) sampler.shouldCapture(`SELECT ${index}`);
    for (let index = 0; index < FIRST_SAMPLES; index += 1) sampler.shouldCapture('SELECT 0');
    expect(sampler.shouldCapture('SELECT 0')).toBe(false);
    sampler.shouldCapture('one text too many');
    expect(sampler.shouldCapture('SELECT 0')).toBe(true);
  });
});
