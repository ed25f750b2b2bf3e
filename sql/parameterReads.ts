/**
 * Whether value-dependent rules read any bound parameter of these
 * statements. An execution's values can change their findings only where
 * they read one (each read is an index of `values`, through
 * `operandValue`), so a statement whose parameters none of them reads (most:
 * `WHERE id = $1`, `SELECT $1::int`) needs no parse tree kept for checking
 * its executions. Keeping a tree per parameterised statement made a flood of
 * distinct statements hold thousands of trees long enough to outlive young
 * collections, which grew V8's young generation and the process's RSS.
 */
import type { PreparedStatement } from './parse/preparedStatements';
import type { Rule, StatementSource } from './rule';
import { runRules } from './ruleEngine';

function isIndex(key: string | symbol): boolean {
  return typeof key === 'string' && key !== '' && Number.isInteger(Number(key));
}

/** The most parameters one statement can have (the protocol counts them in 16 bits): a rule that walks the values ends. */
const MAX_PARAMETERS = 65_535;

/** A value rule that throws is reported by this run too, as by the analysis's own run of the rules. */
export function valueRulesReadParameters(statements: readonly PreparedStatement[], valueRules: readonly Rule[], source: StatementSource): boolean {
  let read = false;
  // Every parameter exists and is bound to undefined: a rule judges it as it would an execution that binds nothing there.
  const probe = new Proxy<unknown[]>([], {
    get: (target, key) => {
      if (key === 'length') return MAX_PARAMETERS;
      if (isIndex(key)) {
        read = true;
        return undefined;
      }
      return Reflect.get(target, key) as unknown;
    },
  });
  runRules(statements, valueRules, probe, source);
  return read;
}
