/** How V8 compiles the SQL parser's WebAssembly, for the agent and the CLI alike. */
import { setFlagsFromString } from 'node:v8';

/**
 * libpg_query's parser is one huge WebAssembly function. When V8 tiers it up
 * to TurboFan, the optimising compile takes 200–500 MB of RSS that the process
 * keeps, and the first statements wait for it; on V8's baseline compiler
 * (Liftoff) the agent stays near 70 MB and parses faster at our call rates.
 * The flags are process-wide and must be set before the module compiles, so
 * other WebAssembly in the app also stays on Liftoff: QUERYLENS_WASM_TIER_UP=on
 * restores V8's default. The CLI keeps it too: a `querylens lint` of one small
 * file took 2.6 s of CPU and 596 MiB of RSS with tier-up, 0.42 s and 73 MiB without
 * (bench/cli-lint.mjs).
 */
export function keepWasmOnBaselineCompiler(): void {
  setFlagsFromString('--no-wasm-tier-up');
  setFlagsFromString('--no-wasm-dynamic-tiering');
}
