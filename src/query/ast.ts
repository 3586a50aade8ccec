/**
 * The read query AST: what a request asks for, after every identifier has
 * been checked against the model. Plain, read-only data; the compiler turns
 * it into one SQL statement with bind parameters.
 */

export interface ReadQuery {
  readonly kind: 'read';
  readonly collection: string;
  readonly fields: readonly FieldNode[];
  readonly filter: FilterNode | null;
  readonly search: string | null;
  readonly sort: readonly SortNode[];
  /** null: no limit. */
  readonly limit: number | null;
  readonly offset: number;
  /** When present the query answers aggregate rows (one per group) instead of items. */
  readonly aggregate?: readonly AggregateNode[];
  readonly groupBy?: readonly GroupNode[];
}

export const DATE_FUNCTIONS = ['year', 'month', 'week', 'day', 'weekday', 'hour', 'minute', 'second'] as const;
export type DateFunction = (typeof DATE_FUNCTIONS)[number];
export const AGGREGATE_FUNCTIONS = ['count', 'countDistinct', 'countAll', 'sum', 'sumDistinct', 'avg', 'avgDistinct', 'min', 'max'] as const;
export type AggregateFunction = (typeof AGGREGATE_FUNCTIONS)[number];

/** `count` of `*` (or countAll) has no field. */
export interface AggregateNode {
  readonly fn: AggregateFunction;
  readonly field: string | null;
}

export interface GroupNode {
  readonly field: string;
  readonly fn: DateFunction | null;
  /** The key in the result: the field, or `<field>_<fn>`. */
  readonly as: string;
}

export type FieldNode =
  /** A column as stored: scalars, and m2o keys when not expanded. */
  | { readonly kind: 'column'; readonly field: string; readonly as: string; /** Read as text (GraphQL's ID shows keys as strings). */ readonly text?: boolean }
  /** An m2o expanded into the related item (null when unset). */
  | { readonly kind: 'm2o'; readonly field: string; readonly as: string; readonly read: ReadQuery }
  /**
   * An o2m, or an m2m seen as the o2m to its junction rows: the related items
   * whose `foreignKey` points at this item. Not expanded, `read.fields` is just the key.
   */
  | { readonly kind: 'many'; readonly field: string; readonly as: string; readonly foreignKey: string; readonly keysOnly: boolean; readonly read: ReadQuery }
  /** `year(date_created)` → `date_created_year`; `count(comments)` → `comments_count`. */
  | { readonly kind: 'function'; readonly fn: DateFunction; readonly field: string; readonly as: string }
  | { readonly kind: 'count'; readonly field: string; readonly as: string; readonly related: string; readonly foreignKey: string };

export type FilterNode =
  | { readonly kind: 'and' | 'or'; readonly children: readonly FilterNode[] }
  | {
      readonly kind: 'compare';
      readonly field: string;
      readonly operator: string;
      readonly value: unknown;
      readonly type: string;
      readonly fn?: DateFunction;
      /** `count(comments)`: compares how many related items (that the reader may see) point at this one. */
      readonly count?: { readonly related: string; readonly foreignKey: string };
    }
  /** Through an m2o: the related item matches. */
  | { readonly kind: 'm2o'; readonly field: string; readonly related: string; readonly relatedKey: string; readonly filter: FilterNode }
  /** Through an o2m/m2m: some (or no) related item matches. */
  | { readonly kind: 'many'; readonly quantifier: 'some' | 'none'; readonly related: string; readonly foreignKey: string; readonly filter: FilterNode };

export type SortNode =
  | { readonly kind: 'column'; readonly field: string; readonly descending: boolean }
  /** Sort by a field of the m2o-related item. */
  | { readonly kind: 'm2o'; readonly field: string; readonly related: string; readonly relatedKey: string; readonly sort: SortNode };
