import type { Rule, RuleHit } from '../rule';
import type { Fields } from '../parse/parseTree';
import { columnEquality, columnName, list, str, withoutCasts } from '../parse/nodeReaders';
import { asNode, child, nodesOfType } from '../parse/parseTree';
import { constValue } from '../parse/valueReaders';
import { hitAt } from '../ruleWording';

const SECRET_COLUMN = /passw(or)?d|pwd|secret|token|api_?key/i;
// Hashes are not secrets in clear: SCRAM and md5 role passwords, bcrypt/argon2 crypt strings.
const HASHED = /^(SCRAM-SHA-256\$|md5[0-9a-f]{32}$|\$2[aby]?\$\d\d\$|\$argon2)/;

/** A non-empty string literal that is not a password hash. */
function isPlaintextLiteral(node: unknown): boolean {
  const aConst = asNode(withoutCasts(node), 'A_Const');
  const value = aConst === undefined ? undefined : constValue(aConst);
  return value !== undefined && value.kind === 'string' && value.value !== '' && !HASHED.test(value.value);
}

/** `SET password = '…'` (UPDATE, ON CONFLICT DO UPDATE). */
function assignments(stmt: unknown): readonly RuleHit[] {
  return nodesOfType(stmt, 'ResTarget')
    .filter(({ fields, parent }) => parent?.type !== 'SelectStmt' && SECRET_COLUMN.test(str(fields, 'name') ?? '') && isPlaintextLiteral(fields['val']))
    .map(({ fields }) => hitAt(`a string literal is assigned to column "${str(fields, 'name') ?? ''}"`, fields));
}

/** `INSERT INTO users (email, password) VALUES (…, '…')`. */
function insertedValues(stmt: unknown): readonly RuleHit[] {
  return nodesOfType(stmt, 'InsertStmt').flatMap(({ fields }) => {
    const columns = list(fields, 'cols').map((col) => str(asNode(col, 'ResTarget') ?? {}, 'name') ?? '');
    const rows = list(asNode(fields['selectStmt'], 'SelectStmt') ?? {}, 'valuesLists').map((row) => list(asNode(row, 'List') ?? {}, 'items'));
    const secret = columns.flatMap((column, index) => (SECRET_COLUMN.test(column) && rows.some((row) => isPlaintextLiteral(row[index])) ? [column] : []));
    return secret.map((column) => hitAt(`a string literal is inserted into column "${column}"`, child(fields, 'relation') ?? fields));
  });
}

/** `WHERE api_key = '…'`. */
function comparisons(stmt: unknown): readonly RuleHit[] {
  return nodesOfType(stmt, 'A_Expr').flatMap(({ fields }): RuleHit[] => {
    const equality = columnEquality({ A_Expr: fields });
    const column = equality === undefined ? '' : columnName(equality.column);
    const isSecret = equality !== undefined && SECRET_COLUMN.test(column) && isPlaintextLiteral(equality.value);
    return isSecret ? [hitAt(`column "${column}" is compared with a string literal`, fields)] : [];
  });
}

/** `CREATE ROLE … PASSWORD '…'`, `ALTER ROLE … PASSWORD '…'`. */
function rolePasswords(stmt: unknown): readonly RuleHit[] {
  return ['CreateRoleStmt', 'AlterRoleStmt'].flatMap((type) =>
    nodesOfType(stmt, type).flatMap(({ fields }) =>
      list(fields, 'options')
        .map((option) => asNode(option, 'DefElem'))
        .filter((option): option is Fields => option !== undefined && str(option, 'defname') === 'password')
        .filter((option) => {
          const secret = str(asNode(option['arg'], 'String') ?? {}, 'sval');
          return secret !== undefined && !HASHED.test(secret);
        })
        .map((option) => hitAt(`${type === 'CreateRoleStmt' ? 'CREATE' : 'ALTER'} ROLE sets a PASSWORD in clear text`, option)),
    ),
  );
}

export const rule: Rule = {
  id: 'plaintext-password',
  category: 'security',
  severity: 'error',
  description: 'A secret written into the statement text: a string literal assigned to, inserted into or compared with a column named like password, passwd, pwd, secret, token or api_key, or a clear-text PASSWORD in CREATE/ALTER ROLE. Statement text reaches logs, pg_stat_statements and traces. Hashes (SCRAM, md5, bcrypt, argon2) are not flagged.',
  suggestion: 'Bind secrets as parameters ($1) and store only hashes (bcrypt/argon2 computed in the application); set role passwords with psql \\password or a pre-hashed SCRAM string.',
  check: ({ stmt }) => [...assignments(stmt), ...insertedValues(stmt), ...comparisons(stmt), ...rolePasswords(stmt)],
};
