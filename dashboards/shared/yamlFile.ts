/**
 * YAML as every generated file is written: a `#` header (a comment line per line of it),
 * then the document, lines never folded.
 */
import { stringify } from 'yaml';

export function yamlFile(header: string, doc: object): string {
  return `${comment(header)}\n${stringify(doc, { lineWidth: 0 })}`;
}

function comment(text: string): string {
  return text.split('\n').map((line) => `# ${line}`).join('\n');
}
