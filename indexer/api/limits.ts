/**
 * Bounds on a GraphQL request beyond graphql-armor's document limits, with the request's variables resolved:
 *
 * - **cost** (`COST_RULES`, stated in the README): the number of objects the answer can hold. A scalar field costs 0,
 *   an object field 1 plus its selection; a paginated list (a field with `first`) multiplies its selection by the
 *   page size `first` really takes (a literal, a variable (`first: $f` with `{"f": 1000}`), the variable's
 *   default, or the default page when absent); `yieldHistory` by its days (`to − from + 1`, 30 when not both
 *   literal or variables); any other list by 10. The limit is 5 × the maximum page size (5,000 by default), so a
 *   page of the maximum size of any list with scalar fields, or one nested object per item, passes. graphql-armor's
 *   own cost rule reads literals only (a variable counts 1) and is replaced by this one.
 * - **lists and strings**: no argument or variable holds a list longer than `maxListLength` (e.g. `holderIn`) or a
 *   string longer than `maxStringLength`.
 * - **error messages** never echo more than `maxErrorMessage` characters (a bad 1 MB argument must not come back).
 *
 * Violations are GraphQL errors with code `QUERY_LIMIT`.
 */
import {
  GraphQLError, Kind, getNamedType, getNullableType, isInterfaceType, isListType, isObjectType, valueFromASTUntyped,
  type DocumentNode, type FieldNode, type FragmentDefinitionNode, type GraphQLNamedType, type GraphQLSchema, type SelectionSetNode, type ValueNode,
} from "graphql";

/** The cost rules in words (the README repeats them). */
export const COST_RULES = {
  scalar: 0,
  object: 1,
  /** a list without `first` (positions, collateral, lendingValuations, Farm.series, …) counts as this many items */
  unpaginatedList: 10,
  /** `yieldHistory.days` when from/to are not both given */
  defaultDays: 30,
  /** the cost limit is this × the maximum page size */
  pagesPerQuery: 5,
} as const;

/** The limits (see the module comment). */
export interface RequestLimits {
  maxCost: number;
  maxListLength: number;
  maxStringLength: number;
  maxErrorMessage: number;
  /** page size of a list whose `first` is absent */
  defaultPage: number;
}

const limitError = (message: string) => new GraphQLError(message, { extensions: { code: "QUERY_LIMIT" } });

/** Cuts `s` to `n` characters (marking the cut). */
export function clip(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n)}… (${s.length} characters)`;
}

/** Raw variables with the operation's defaults applied. */
function resolveVariables(doc: DocumentNode, opName: string | null | undefined, given: Record<string, unknown> | null | undefined) {
  const ops = doc.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  const op = (opName ? ops.find((o) => o.name?.value === opName) : ops[0]) ?? ops[0];
  const vars: Record<string, unknown> = { ...(given ?? {}) };
  for (const v of op?.variableDefinitions ?? []) {
    if (vars[v.variable.name.value] === undefined && v.defaultValue) vars[v.variable.name.value] = valueFromASTUntyped(v.defaultValue);
  }
  return { op, vars };
}

/**
 * The cost of the operation with variables resolved (`COST_RULES`, see the module comment).
 * Returns `Infinity` for a page size that is not a number.
 */
export function queryCost(schema: GraphQLSchema, doc: DocumentNode, opName: string | null | undefined, given: Record<string, unknown> | null | undefined, defaultPage: number): number {
  const { op, vars } = resolveVariables(doc, opName, given);
  if (!op || op.kind !== Kind.OPERATION_DEFINITION) return 0;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const root = op.operation === "query" ? schema.getQueryType() : op.operation === "mutation" ? schema.getMutationType() : schema.getSubscriptionType();
  const value = (v: ValueNode): unknown => (v.kind === Kind.VARIABLE ? vars[v.name.value] : valueFromASTUntyped(v, vars));

  const arg = (s: FieldNode, name: string) => {
    const a = s.arguments?.find((x) => x.name.value === name);
    return a ? value(a.value) : undefined;
  };
  /** `hint`: the item count of the list below a paginated field (its page size) or below yieldHistory (its days) */
  const selections = (set: SelectionSetNode, parent: GraphQLNamedType | null | undefined, seen: Set<string>, hint = 1): number => {
    let cost = 0;
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD) {
        if (s.name.value.startsWith("__")) continue;
        const def = parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[s.name.value] : undefined;
        if (!s.selectionSet) {
          cost += COST_RULES.scalar;
          continue;
        }
        const type = def ? getNamedType(def.type) : null;
        if (def?.args.some((a) => a.name === "first")) {
          const given = arg(s, "first");
          const page = given === undefined || given === null ? defaultPage : typeof given === "number" && Number.isFinite(given) ? Math.max(1, given) : Infinity;
          cost += COST_RULES.object + selections(s.selectionSet, type, seen, page);
        } else if (s.name.value === "yieldHistory") {
          const [from, to] = [arg(s, "from"), arg(s, "to")];
          const days = typeof from === "number" && typeof to === "number" ? Math.max(1, to - from + 1) : COST_RULES.defaultDays;
          cost += COST_RULES.object + selections(s.selectionSet, type, seen, days);
        } else {
          const list = def && isListType(getNullableType(def.type));
          // the items of a page and the days of a statement count as many as asked; other lists as unpaginatedList
          const below = (parent?.name.endsWith("Page") && s.name.value === "items") || (parent?.name === "YieldHistory" && s.name.value === "days");
          const items = !list ? 1 : below ? hint : COST_RULES.unpaginatedList;
          cost += items * (COST_RULES.object + selections(s.selectionSet, type, seen));
        }
      } else if (s.kind === Kind.INLINE_FRAGMENT) {
        const t = s.typeCondition ? schema.getType(s.typeCondition.name.value) : parent;
        cost += selections(s.selectionSet, t, seen, hint);
      } else {
        const f = fragments.get(s.name.value);
        if (!f || seen.has(f.name.value)) continue;
        cost += selections(f.selectionSet, schema.getType(f.typeCondition.name.value), new Set([...seen, f.name.value]), hint);
      }
    }
    return cost;
  };
  return selections(op.selectionSet, root, new Set());
}

/** Throws `QUERY_LIMIT` for a list longer than `maxList` or a string longer than `maxString` anywhere in `v`. */
function checkValue(v: unknown, where: string, l: RequestLimits): void {
  if (typeof v === "string") {
    if (v.length > l.maxStringLength) throw limitError(`${where}: a string of ${v.length} characters (at most ${l.maxStringLength})`);
  } else if (Array.isArray(v)) {
    if (v.length > l.maxListLength) throw limitError(`${where}: a list of ${v.length} items (at most ${l.maxListLength})`);
    v.forEach((x) => checkValue(x, where, l));
  } else if (v && typeof v === "object") {
    for (const [k, x] of Object.entries(v)) checkValue(x, `${where}.${clip(k, 40)}`, l);
  }
}

/** Checks every variable and every literal argument of `doc`. */
export function checkArguments(doc: DocumentNode, given: Record<string, unknown> | null | undefined, l: RequestLimits): void {
  for (const [k, v] of Object.entries(given ?? {})) checkValue(v, `$${clip(k, 40)}`, l);
  const walk = (node: unknown): void => {
    if (!node || typeof node !== "object") return;
    const n = node as any;
    if (n.kind === Kind.ARGUMENT) {
      if (n.value.kind !== Kind.VARIABLE) checkValue(valueFromASTUntyped(n.value), clip(n.name.value, 40), l);
      return;
    }
    for (const k of ["definitions", "selectionSet", "selections", "arguments", "directives"]) {
      const c = n[k];
      if (Array.isArray(c)) c.forEach(walk);
      else if (c) walk(c);
    }
  };
  walk(doc);
}

/**
 * The envelop/yoga plugin: refuses every operation once the sync stopped for good (`unavailable()` returns the
 * reason: the store may hold an orphaned branch), checks arguments and cost before execution, and clips error
 * messages in every result.
 */
export function requestLimitsPlugin(l: RequestLimits, unavailable: () => string | null) {
  const clipErrors = (result: any) => {
    for (const r of Array.isArray(result) ? result : [result]) {
      for (const e of r?.errors ?? []) if (typeof e.message === "string" && e.message.length > l.maxErrorMessage) e.message = clip(e.message, l.maxErrorMessage);
    }
  };
  return {
    onExecute({ args, setResultAndStopExecution }: any) {
      const down = unavailable();
      if (down) {
        setResultAndStopExecution({ errors: [new GraphQLError(`the indexer stopped and serves no data: ${clip(down, 300)}`, { extensions: { code: "INDEXER_STOPPED" } })] });
        return;
      }
      try {
        checkArguments(args.document, args.variableValues, l);
        const cost = queryCost(args.schema, args.document, args.operationName, args.variableValues, l.defaultPage);
        if (cost > l.maxCost) {
          throw limitError(
            `cost limit of ${l.maxCost} exceeded: the query costs ${Number.isFinite(cost) ? Math.round(cost) : "∞ (an invalid page size)"} ` +
              `(objects it may return: page sizes × items, variables resolved; see the README's query limits)`,
          );
        }
      } catch (e) {
        if (e instanceof GraphQLError) setResultAndStopExecution({ errors: [e] });
        else throw e;
      }
    },
    onResultProcess({ result }: any) {
      clipErrors(result);
    },
  };
}
