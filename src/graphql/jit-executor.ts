import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import {
  BREAK,
  execute,
  GraphQLError,
  OperationTypeNode,
  visit,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { documentCost } from './operation-limits';
import { AppError, withoutStack } from '../common/errors';

/**
 * graphql-jit behind Apollo Server's `gateway` option (the one hook Apollo has for replacing its
 * executor): parsing, validation (and its cache), plugins, formatError and HTTP status stay Apollo's;
 * only execution is compiled. Every operation is compiled once into a function and kept in an
 * LRU keyed by the query text and operation name, bounded by the size of what it holds (the text
 * and the generated code), not by a count: one huge compiled query cannot pin gigabytes.
 * With `maxCost`, only documents whose cost (measured by the operation-limits rule during
 * validation) is known and within it are compiled; the others run on graphql-js.
 *
 * Falls back to graphql-js `execute` — exactly what Apollo runs without a gateway — for:
 *  - subscriptions (graphql-ws serves them; over HTTP Apollo's own behaviour is kept);
 *  - introspection (__schema / __type: rare, and graphql-js is the reference for it);
 *  - anything graphql-jit cannot compile (remembered, so it is not tried again);
 *  - variables jit rejects: graphql-js coerces them again and reports its own messages (nothing has
 *    run yet at that point, so running the operation with graphql-js is safe).
 * Errors raised while executing are turned back into graphql-js GraphQLErrors (graphql-jit's own
 * error objects lack `extensions`, which Apollo's error formatting expects), keeping message, path,
 * locations, extensions and originalError: formatError/presentError see what they saw before.
 */

const FALLBACK = Symbol('graphql-js');
/** A compiled operation, with what the HTTP fast path needs to answer it as Apollo would. */
export interface CompiledOperation {
  query: CompiledQuery;
  /** The operation's own name (Apollo's `operationName` once resolved), for metrics. */
  operationName: string | null;
  type: OperationTypeNode;
}
type Compiled = CompiledOperation | typeof FALLBACK;

/** The cache key: the operation name as the request sent it (resolving it again gives the same operation). */
export const operationKey = (requestedName: string | null | undefined, source: string) => `${requestedName ?? ''}\u0000${source}`;

export interface JitOptions {
  /** Compiled operations kept (least recently used dropped first). */
  maxEntries?: number;
  /** Total size kept, in characters of query text plus generated code (default 8 M). */
  maxSize?: number;
  /** Compile only documents whose validated cost is known and at most this (MAX_OPERATION_COST). */
  maxCost?: number;
}

const DEFAULT_MAX_SIZE = 8 * 1024 * 1024;

/** A Map in insertion order doubles as an LRU: a hit moves the key to the end. Bounded by count and by total weight. */
class Lru<V> {
  private readonly map = new Map<string, { v: V; weight: number }>();
  private total = 0;
  constructor(
    private readonly maxEntries: number,
    private readonly maxWeight: number,
  ) {}
  get(key: string): V | undefined {
    const e = this.map.get(key);
    if (e !== undefined) {
      this.map.delete(key);
      this.map.set(key, e);
    }
    return e?.v;
  }
  set(key: string, v: V, weight: number): void {
    this.delete(key);
    // Something larger than the whole budget is not kept at all.
    if (weight > this.maxWeight) return;
    this.map.set(key, { v, weight });
    this.total += weight;
    while (this.map.size > this.maxEntries || this.total > this.maxWeight) this.delete(this.map.keys().next().value!);
  }
  private delete(key: string): void {
    const e = this.map.get(key);
    if (!e) return;
    this.map.delete(key);
    this.total -= e.weight;
  }
  get size(): number {
    return this.map.size;
  }
  get weight(): number {
    return this.total;
  }
  clear(): void {
    this.map.clear();
    this.total = 0;
  }
}

/**
 * True when the document selects __schema or __type anywhere. graphql-js's `visit` walks the tree
 * without recursion (and without descending into `loc`), so a wide document cannot overflow the stack.
 */
export function isIntrospection(document: DocumentNode, source: string): boolean {
  if (!source.includes('__schema') && !source.includes('__type')) return false;
  // The words may appear in a string or a comment: a cheap text test first, then a look at the tree.
  let found = false;
  visit(document, {
    Field(node) {
      if (node.name.value === '__schema' || node.name.value === '__type') {
        found = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/** The size a compiled operation holds: the generated function's source. */
function compiledSize(compiled: CompiledQuery): number {
  let size = 0;
  for (const f of [compiled.query, compiled.subscribe, compiled.stringify])
    if (typeof f === 'function') size += Function.prototype.toString.call(f).length;
  return size;
}

const NON_NULL = /^Cannot return null for non-nullable field /;

/** graphql-jit's error objects → graphql-js GraphQLErrors with the same content. */
function toGraphQLError(e: unknown): GraphQLError {
  if (!(e instanceof Error)) return new GraphQLError(`Unexpected error value: ${String(e)}`);
  // graphql-jit's GraphQLError is a function of that name whose prototype inherits graphql-js's;
  // graphql-js's own class and its subclasses (AppError, TypeGraphQL's errors) are kept as they are.
  if (e instanceof GraphQLError && !(e.constructor !== GraphQLError && e.constructor.name === 'GraphQLError')) return e;
  const source = e as Error & {
    path?: (string | number)[];
    locations?: { line: number; column: number }[];
    originalError?: Error;
    extensions?: Record<string, unknown>;
  };
  // graphql-js raises a null in a non-null field as a plain Error (an unexpected error: a bug);
  // graphql-jit gives it no originalError, which would make it look like a client error.
  const originalError = source.originalError ?? (NON_NULL.test(source.message) ? new Error(source.message) : undefined);
  const make = () => new GraphQLError(source.message, { path: source.path, originalError, extensions: source.extensions });
  // An expected error (AppError) needs no stack of its own; an unexpected one keeps it for the log.
  const out = originalError instanceof AppError ? withoutStack(make) : make();
  if (source.locations?.length) (out as { locations?: unknown }).locations = source.locations;
  return out;
}

export interface JitExecutor {
  executor: GatewayExecutor;
  /** A query operation compiled already (Apollo validated it, then ran it here), or undefined. */
  compiledQuery(requestedName: string | null | undefined, source: string): CompiledOperation | undefined;
  /**
   * A result (from runCompiled, with data) computed for this context before Apollo's pipeline ran:
   * the HTTP fast path, which could not answer it itself. The executor returns it instead of running
   * the operation again, once, for the same operation.
   */
  adopt(context: object, key: string, result: ExecutionResult): void;
  cacheSize(): number;
  cacheWeight(): number;
  clear(): void;
}

/** graphql-jit's result as graphql-js would give it; undefined when the variables were rejected before anything ran. */
export async function runCompiled(
  compiled: CompiledQuery,
  context: unknown,
  variables: Record<string, unknown> | undefined | null,
): Promise<ExecutionResult | undefined> {
  return fromJit(await compiled.query(undefined, context, variables ?? {}));
}

function fromJit(result: ExecutionResult): ExecutionResult | undefined {
  if (!result.errors?.length) return result;
  // No data key at all: the variables were rejected before anything ran.
  if (!('data' in result)) return undefined;
  return { ...result, errors: result.errors.map(toGraphQLError) };
}

export function createJitExecutor(getSchema: () => GraphQLSchema, options: JitOptions = {}): JitExecutor {
  const cache = new Lru<Compiled>(options.maxEntries ?? 500, options.maxSize ?? DEFAULT_MAX_SIZE);
  const adopted = new WeakMap<object, { key: string; result: ExecutionResult }>();

  const runGraphqlJs = (
    schema: GraphQLSchema,
    document: DocumentNode,
    context: unknown,
    variables: Record<string, unknown> | undefined,
    operationName: string | null,
  ) => execute({ schema, document, contextValue: context, variableValues: variables, operationName });

  const compile = (
    schema: GraphQLSchema,
    document: DocumentNode,
    source: string,
    operation: OperationDefinitionNode,
    operationName: string | null,
  ): Compiled => {
    if (operation.operation === OperationTypeNode.SUBSCRIPTION || isIntrospection(document, source)) return FALLBACK;
    if (options.maxCost !== undefined) {
      const cost = documentCost(document);
      if (cost === undefined || cost > options.maxCost) return FALLBACK;
    }
    try {
      const compiled = compileQuery(schema, document, operationName ?? undefined, {
        // A resolver's own error keeps its stack; the wrapper graphql-jit puts around it needs none.
        disablingCapturingStackErrors: true,
      });
      return isCompiledQuery(compiled) ? { query: compiled, operationName: operation.name?.value ?? null, type: operation.operation } : FALLBACK;
    } catch {
      return FALLBACK;
    }
  };

  const executor: GatewayExecutor = async (requestContext) => {
    const { document, source, operation, operationName, context } = requestContext;
    const schema = getSchema();
    const variables = requestContext.request.variables;
    // Typed as always present, but Apollo hands over undefined when no operation matched; graphql-js
    // then answers with its own error instead of this executor crashing.
    if (!(operation as OperationDefinitionNode | undefined)) return runGraphqlJs(schema, document, context, variables, operationName);
    const key = operationKey(requestContext.request.operationName, source);
    const early = adopted.get(context);
    if (early && early.key === key) {
      adopted.delete(context);
      return early.result;
    }
    let compiled = cache.get(key);
    if (compiled === undefined) {
      compiled = compile(schema, document, source, operation, operationName);
      cache.set(key, compiled, key.length + (compiled === FALLBACK ? 0 : compiledSize(compiled.query)));
    }
    if (compiled === FALLBACK) return runGraphqlJs(schema, document, context, variables, operationName);
    return (await runCompiled(compiled.query, context, variables)) ?? runGraphqlJs(schema, document, context, variables, operationName);
  };

  return {
    executor,
    compiledQuery(requestedName, source) {
      const compiled = cache.get(operationKey(requestedName, source));
      return compiled !== undefined && compiled !== FALLBACK && compiled.type === OperationTypeNode.QUERY ? compiled : undefined;
    },
    adopt(context, key, result) {
      adopted.set(context, { key, result });
    },
    cacheSize: () => cache.size,
    cacheWeight: () => cache.weight,
    clear: () => cache.clear(),
  };
}

/** Apollo's `gateway` option serving one fixed schema, executed by graphql-jit. */
export function jitGateway(
  schema: GraphQLSchema,
  options: JitOptions = {},
): GatewayInterface & { jit: JitExecutor; cacheSize(): number; cacheWeight(): number } {
  const jit = createJitExecutor(() => schema, options);
  return {
    jit,
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => undefined;
    },
    async load() {
      return { executor: jit.executor };
    },
    async stop() {
      jit.clear();
    },
    cacheSize: () => jit.cacheSize(),
    cacheWeight: () => jit.cacheWeight(),
  };
}
