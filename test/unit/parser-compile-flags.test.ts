import { describe, expect, it } from 'vitest';
import { parserCompileFlags } from '../../agent/startAnalysis';

const names = (execArgv: string[], nodeOptions?: string): string[] => parserCompileFlags(execArgv, nodeOptions).map((flag) => flag.whileCompiling);

describe('the V8 flags set while the SQL parser compiles', () => {
  it('compiles eagerly on one background thread by default, and restores V8 defaults after', () => {
    expect(names([])).toEqual(['--no-wasm-lazy-compilation', '--wasm-num-compilation-tasks=1']);
    expect(parserCompileFlags([], undefined).map((flag) => flag.after)).toEqual(['--wasm-lazy-compilation', '--wasm-num-compilation-tasks=128']);
  });

  it('leaves a flag the user set on the command line alone', () => {
    expect(names(['--wasm-num-compilation-tasks=4'])).toEqual(['--no-wasm-lazy-compilation']);
    expect(names(['--no-wasm-lazy-compilation', '--max-old-space-size=512'])).toEqual(['--wasm-num-compilation-tasks=1']);
  });

  it('leaves a flag the user set in NODE_OPTIONS alone', () => {
    expect(names([], '--require querylens/register --wasm-lazy-compilation --wasm-num-compilation-tasks=2')).toEqual([]);
  });
});
