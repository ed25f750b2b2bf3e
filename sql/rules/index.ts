/**
 * The optimizer rule catalogue, in the order of docs/rules.md. The engine
 * filters it by source and by QUERYLENS_RULES; each rule is its own module.
 */
import type { Rule } from '../rule';
import { rule as selectStar } from './select-star';
import { rule as updateWithoutWhere } from './update-without-where';
import { rule as deleteWithoutWhere } from './delete-without-where';
import { rule as leadingWildcardLike } from './leading-wildcard-like';
import { rule as nonSargablePredicate } from './non-sargable-predicate';
import { rule as largeOffset } from './large-offset';
import { rule as orderByRandom } from './order-by-random';
import { rule as limitWithoutOrder } from './limit-without-order';
import { rule as notInSubquery } from './not-in-subquery';
import { rule as orChainSameColumn } from './or-chain-same-column';
import { rule as implicitCrossJoin } from './implicit-cross-join';
import { rule as distinctWithGroupBy } from './distinct-with-group-by';
import { rule as unionNotAll } from './union-not-all';
import { rule as nullEquality } from './null-equality';
import { rule as largeInList } from './large-in-list';
import { rule as tooManyJoins } from './too-many-joins';
import { rule as correlatedSubqueryInSelect } from './correlated-subquery-in-select';
import { rule as insertWithoutColumns } from './insert-without-columns';
import { rule as nonParameterizedLiteral } from './non-parameterized-literal';
import { rule as tautologyPredicate } from './tautology-predicate';
import { rule as stackedStatements } from './stacked-statements';
import { rule as timeDelayCall } from './time-delay-call';
import { rule as dangerousRuntimeDdl } from './dangerous-runtime-ddl';
import { rule as plaintextPassword } from './plaintext-password';
import { rule as requireConcurrentIndex } from './require-concurrent-index';
import { rule as concurrentlyInTransaction } from './concurrently-in-transaction';
import { rule as requireConcurrentRefresh } from './require-concurrent-refresh';
import { rule as constraintMissingNotValid } from './constraint-missing-not-valid';
import { rule as volatileDefaultColumn } from './volatile-default-column';
import { rule as changingColumnType } from './changing-column-type';
import { rule as setNotNull } from './set-not-null';
import { rule as breakingSchemaChange } from './breaking-schema-change';

export const ALL_RULES: readonly Rule[] = [
  selectStar,
  updateWithoutWhere,
  deleteWithoutWhere,
  leadingWildcardLike,
  nonSargablePredicate,
  largeOffset,
  orderByRandom,
  limitWithoutOrder,
  notInSubquery,
  orChainSameColumn,
  implicitCrossJoin,
  distinctWithGroupBy,
  unionNotAll,
  nullEquality,
  largeInList,
  tooManyJoins,
  correlatedSubqueryInSelect,
  insertWithoutColumns,
  nonParameterizedLiteral,
  tautologyPredicate,
  stackedStatements,
  timeDelayCall,
  dangerousRuntimeDdl,
  plaintextPassword,
  requireConcurrentIndex,
  concurrentlyInTransaction,
  requireConcurrentRefresh,
  constraintMissingNotValid,
  volatileDefaultColumn,
  changingColumnType,
  setNotNull,
  breakingSchemaChange,
];
