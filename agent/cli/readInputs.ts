/**
 * Turns lint's inputs into SQL texts: files as given, directories as the
 * `*.sql` files under them (sorted, so output is stable), `-` as stdin.
 * An input that cannot be read is a UsageError naming it and why.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { CliIo } from './command';
import { UsageError } from './command';
import { STDIN_NAME } from './fileFinding';

export interface SqlInput {
  readonly file: string;
  readonly sql: string;
}

function reason(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return { ENOENT: 'no such file or directory', EACCES: 'permission denied' }[error.code] ?? error.code;
  }
  return error instanceof Error ? error.message : String(error);
}

async function sqlFilesUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true });
  const nested = await Promise.all(
    entries
      .sort((a, b) => a.name.localeCompare(b.name))
      .map(async (entry): Promise<string[]> => {
        const path = join(directory, entry.name);
        if (entry.isDirectory()) return sqlFilesUnder(path);
        return entry.isFile() && entry.name.toLowerCase().endsWith('.sql') ? [path] : [];
      }),
  );
  return nested.flat();
}

/** Files are read as UTF-8; a byte-order mark is dropped so columns count from the first real character. */
async function readSql(path: string): Promise<string> {
  return (await readFile(path, 'utf8')).replace(/^\uFEFF/, '');
}

export async function readInputs(inputs: readonly string[], io: CliIo): Promise<SqlInput[]> {
  const out: SqlInput[] = [];
  for (const input of inputs) {
    if (input === '-') {
      out.push({ file: STDIN_NAME, sql: (await io.readStdin()).replace(/^\uFEFF/, '') });
      continue;
    }
    try {
      const path = resolve(io.cwd, input);
      const files = (await stat(path)).isDirectory() ? await sqlFilesUnder(path) : [path];
      for (const file of files) out.push({ file: file === path ? input : join(input, file.slice(path.length + 1)), sql: await readSql(file) });
    } catch (error) {
      throw new UsageError(`cannot read ${input}: ${reason(error)}`);
    }
  }
  return out;
}
