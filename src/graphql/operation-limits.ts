import {
  getNamedType,
  getNullableType,
  GraphQLError,
  isCompositeType,
  isListType,
  Kind,
  Lexer,
  OperationTypeNode,
  Source,
  TokenKind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
  type ValueNode,
} from 'graphql';
import { OperationLimitError, type OperationLimitName } from '../common/errors';

/**
 * Operation limits: depth, aliases, cost and tokens, checked before anything executes or compiles.
 *
 * Over HTTP the check is a validation rule: Apollo validates a document only when it is not in its
 * document store, so a warm read pays nothing. Over WebSocket, websocket.ts parses and validates
 * with the same rule. Tokens are counted by graphql-js's parser (`maxTokens`), which stops early.
 *
 * Everything is measured after fragment expansion, but each fragment is measured once (all three
 * figures compose: a spread adds its fragment's aliases and cost, times the enclosing lists, and
 * its depth below the spread), so `...F` used 2^14 times costs one walk of F, not 2^14.
 */

export interface OperationLimits {
  maxDepth: number;
  maxAliases: number;
  maxCost: number;
  maxTokens: number;
  /** What an unpaginated list of objects counts as (providers, models, activeModels…). */
  listSize: number;
}

export interface OperationMeasure {
  depth: number;
  aliases: number;
  cost: number;
}

/** What an unpaginated list of objects counts as in the cost (documented in docs/security.md). */
export const DEFAULT_LIST_SIZE = 10;

/**
 * Lists whose size the domain bounds below DEFAULT_LIST_SIZE: one entry per capability at most.
 * Counting them at their real bound keeps legitimate pages (scheduled switches with their changes) in budget.
 */
const KNOWN_LIST_BOUNDS: Readonly<Record<string, number>> = {
  'ScheduledChange.changes': 6,
  'Provider.activeModels': 6,
  'AIModel.activeCapabilities': 6,
};

/** `first` given by a variable: the largest page any connection accepts (page-args.ts). */
const VARIABLE_PAGE_SIZE = 100;

interface Measure {
  depth: number;
  aliases: number;
  cost: number;
}

const ZERO: Measure = { depth: 0, aliases: 0, cost: 0 };

function intValue(node: ValueNode | undefined): number | undefined {
  if (!node) return undefined;
  if (node.kind === Kind.INT) return Math.max(0, Number(node.value));
  // The client may send any value: count the largest page, not the variable's default.
  if (node.kind === Kind.VARIABLE) return VARIABLE_PAGE_SIZE;
  return undefined;
}

/** Measures the operations of a document: depth, aliases and cost, fragments expanded. */
class Measurer {
  private readonly fragments = new Map<string, FragmentDefinitionNode>();
  private readonly fragmentMeasures = new Map<string, Measure>();
  private readonly inProgress = new Set<string>();

  constructor(
    private readonly schema: GraphQLSchema,
    document: DocumentNode,
    private readonly listSize: number,
  ) {
    for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) this.fragments.set(d.name.value, d);
  }

  operation(op: OperationDefinitionNode): Measure {
    const root =
      op.operation === OperationTypeNode.QUERY
        ? this.schema.getQueryType()
        : op.operation === OperationTypeNode.MUTATION
          ? this.schema.getMutationType()
          : this.schema.getSubscriptionType();
    return this.selectionSet(op.selectionSet, root ?? undefined);
  }

  private selectionSet(set: SelectionSetNode, parent: GraphQLCompositeType | undefined): Measure {
    let depth = 0;
    let aliases = 0;
    let cost = 0;
    for (const s of set.selections) {
      let m: Measure;
      if (s.kind === Kind.FIELD) m = this.field(s, parent);
      else if (s.kind === Kind.INLINE_FRAGMENT) {
        const type = s.typeCondition ? this.schema.getType(s.typeCondition.name.value) : parent;
        m = this.selectionSet(s.selectionSet, type && isCompositeType(type) ? type : undefined);
      } else m = this.fragment(s.name.value);
      depth = Math.max(depth, m.depth);
      aliases += m.aliases;
      cost += m.cost;
    }
    return { depth, aliases, cost };
  }

  private fragment(name: string): Measure {
    const known = this.fragmentMeasures.get(name);
    if (known) return known;
    const def = this.fragments.get(name);
    // Unknown or cyclic fragments are reported by graphql-js's own rules.
    if (!def || this.inProgress.has(name)) return ZERO;
    this.inProgress.add(name);
    const type = this.schema.getType(def.typeCondition.name.value);
    const m = this.selectionSet(def.selectionSet, type && isCompositeType(type) ? type : undefined);
    this.inProgress.delete(name);
    this.fragmentMeasures.set(name, m);
    return m;
  }

  private field(node: FieldNode, parent: GraphQLCompositeType | undefined): Measure {
    const def =
      parent && 'getFields' in parent ? (parent.getFields()[node.name.value] as GraphQLField<unknown, unknown> | undefined) : undefined;
    const alias = node.alias ? 1 : 0;
    if (!node.selectionSet) return { depth: 1, aliases: alias, cost: 1 };
    // A list of objects counts as the items it may return: `first`, else listSize per list level.
    let items = 1;
    let type = def ? getNullableType(def.type) : undefined;
    const firstArg = node.arguments?.find((a) => a.name.value === 'first');
    const first = intValue(firstArg?.value) ?? (def?.args.find((a) => a.name === 'first')?.defaultValue as number | undefined);
    let children = 1;
    if (type && isListType(type)) {
      // A connection's `edges` is paged by the connection's own `first`, counted there.
      const paged = node.name.value === 'edges' && parent?.name.endsWith('Connection');
      const known = parent ? KNOWN_LIST_BOUNDS[`${parent.name}.${node.name.value}`] : undefined;
      items = paged ? 1 : (first ?? known ?? this.listSize);
      for (type = getNullableType(type.ofType); type && isListType(type); type = getNullableType(type.ofType)) items *= this.listSize;
    } else if (first !== undefined) {
      children = first;
    }
    const named = def ? getNamedType(def.type) : undefined;
    const inner = this.selectionSet(node.selectionSet, named && isCompositeType(named) ? named : undefined);
    return {
      depth: inner.depth + 1,
      aliases: alias + inner.aliases,
      cost: items * (1 + children * inner.cost),
    };
  }
}

/** Measures every operation of a document (fragments expanded). Pure; used by the rule and tests. */
export function measureDocument(
  schema: GraphQLSchema,
  document: DocumentNode,
  listSize: number,
): Map<OperationDefinitionNode, OperationMeasure> {
  const measurer = new Measurer(schema, document, listSize);
  const out = new Map<OperationDefinitionNode, OperationMeasure>();
  for (const d of document.definitions) if (d.kind === Kind.OPERATION_DEFINITION) out.set(d, measurer.operation(d));
  return out;
}

/** The cost of a validated document's operations (the largest), for the graphql-jit cache. */
const documentCosts = new WeakMap<DocumentNode, number>();

export function documentCost(document: DocumentNode): number | undefined {
  return documentCosts.get(document);
}

/** The first limit an operation exceeds, if any. */
export function exceededLimit(measure: OperationMeasure, limits: OperationLimits): OperationLimitError | undefined {
  const checks: [OperationLimitName, number, number][] = [
    ['depth', limits.maxDepth, measure.depth],
    ['aliases', limits.maxAliases, measure.aliases],
    ['cost', limits.maxCost, measure.cost],
  ];
  for (const [limit, max, actual] of checks) if (actual > max) return new OperationLimitError(limit, max, actual);
  return undefined;
}

/**
 * The validation rule. It measures the whole document when the walk starts, reports the first limit
 * an operation exceeds, and remembers the document's cost.
 */
export function operationLimitsRule(limits: OperationLimits): ValidationRule {
  return (context: ValidationContext) => ({
    Document: {
      enter(document) {
        const measures = measureDocument(context.getSchema(), document, limits.listSize);
        let cost = 0;
        for (const [operation, measure] of measures) {
          const error = exceededLimit(measure, limits);
          if (error) {
            context.reportError(new GraphQLError(error.message, { nodes: [operation], originalError: error, extensions: error.extensions }));
            return false;
          }
          cost = Math.max(cost, measure.cost);
        }
        documentCosts.set(document, cost);
        return undefined;
      },
    },
  });
}

/** Counts a document's tokens (comments excluded, as the parser counts them), stopping at `cap`. */
export function countTokens(body: string, cap = 10_000_000): number {
  const lexer = new Lexer(new Source(body));
  let n = 0;
  try {
    while (n < cap && lexer.advance().kind !== TokenKind.EOF) n++;
  } catch {
    // A lexical error further on: the count so far.
  }
  return n;
}

// graphql 16 says "more that N tokens" (sic); a later version may fix the typo.
const TOO_MANY_TOKENS = /Document contains more th(?:an|at) (\d+) tokens/;

/** graphql-js's "more than N tokens" syntax error → OPERATION_LIMIT_EXCEEDED with the real count. */
export function tokenLimitError(error: unknown): OperationLimitError | undefined {
  for (
    let e = error as { message?: string; source?: { body?: string }; originalError?: unknown } | undefined, depth = 0;
    e && depth < 4;
    depth++
  ) {
    const match = typeof e.message === 'string' ? TOO_MANY_TOKENS.exec(e.message) : null;
    if (match) {
      const max = Number(match[1]);
      const actual = typeof e.source?.body === 'string' ? countTokens(e.source.body) : max + 1;
      return new OperationLimitError('tokens', max, Math.max(actual, max + 1));
    }
    e = e.originalError as typeof e;
  }
  return undefined;
}
