/** YAML as every generated file is written: a `#` header, then the document, lines never folded. */
import { stringify } from 'yaml';

export function yamlFile(header: string, doc: object): string {
  return `# ${header}\n${stringify(doc, { lineWidth: 0 })}`;
}
