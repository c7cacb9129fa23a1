import type { FastifyReply, FastifyRequest } from 'fastify';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import { AppError, ErrorCode } from '../common/errors';
import { isRecord } from '../common/is-record';
import type { OperationSample } from '../observability/metrics';
import { codeOf } from '../observability/metrics';
import type { ContextInput, GraphQLContext } from './context-factory';
import { localizeError } from './error-plugin';
import { operationKey, runCompiled, type JitExecutor } from './jit-executor';
import { nulInVariablesError } from './request-guard';

/** Apollo's content type for a single JSON result when the request sends no Accept header (MEDIA_TYPES.APPLICATION_JSON). */
const APPLICATION_JSON = 'application/json; charset=utf-8';
/** The content types Apollo gives a single result; only these are learnt per Accept value. */
const SINGLE_RESULT_TYPES = new Set([APPLICATION_JSON, 'application/graphql-response+json; charset=utf-8']);
/** Distinct Accept values remembered (clients send a handful; a hostile one cannot grow the map). */
const MAX_ACCEPT_VALUES = 64;
const JSON_BODY = /^application\/json\s*(;|$)/i;

export interface HttpFastPathDeps {
  jit: Pick<JitExecutor, 'compiledQuery' | 'adopt'>;
  contexts: { create(input: ContextInput): Promise<GraphQLContext> };
  /** The request's context input, as Apollo's context function builds it. */
  contextInput(request: FastifyRequest): ContextInput;
  /** Apollo's formatError (formatErrorInDefaultLocale). */
  formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError;
  recordOperation(log: Logger, sample: OperationSample): void;
  log: Logger;
}

type Body = { query?: unknown; operationName?: unknown; variables?: unknown };

/**
 * The warm read without Apollo's request pipeline. A POST of a query operation that Apollo has
 * already parsed, validated, checked (limits, NUL literals, operation name) and run once — so
 * graphql-jit holds it compiled — is executed here directly: the same compiled function, the same
 * context, the same resolvers and auth checks. What Apollo adds around execution for such a request
 * is done here the same way: the auth gate (a valid token), the NUL check on variables, error
 * formatting and localization, the operation metrics, and the response bytes and content type
 * (tests compare them with Apollo's answer for the same request). Apollo's pipeline was a third
 * of a warm read's CPU: its hooks, the query hash, content negotiation and header conversion.
 *
 * Anything else goes to Apollo untouched: GET, mutations, subscriptions, introspection, documents
 * not compiled yet, `extensions` (persisted queries), an Accept value Apollo has not answered yet,
 * a missing or bad token, variables with a NUL or that do not coerce. A result whose errors are not
 * all expected ones (AppErrors without an HTTP status of their own) goes to Apollo too, with the
 * result already computed: the jit executor returns it, so nothing runs twice.
 */
export class HttpFastPath {
  /** Accept header value → the content type Apollo chose for it (it depends on nothing else). */
  private readonly contentTypes = new Map<string, string>();
  private readonly contexts = new WeakMap<FastifyRequest, GraphQLContext>();

  constructor(private readonly deps: HttpFastPathDeps) {}

  /** The response body when answered here (the content type is set on `reply`); undefined: Apollo answers. */
  async serve(request: FastifyRequest, reply: FastifyReply): Promise<string | undefined> {
    if (request.method !== 'POST') return undefined;
    const body = request.body as Body;
    if (!isRecord(body) || typeof body.query !== 'string' || 'extensions' in body) return undefined;
    const { query, operationName, variables } = body;
    if (operationName != null && typeof operationName !== 'string') return undefined;
    if (variables != null && !isRecord(variables)) return undefined;
    if (!JSON_BODY.test(request.headers['content-type'] ?? '')) return undefined;
    const accept = request.headers.accept;
    const contentType = accept === undefined ? APPLICATION_JSON : this.contentTypes.get(accept);
    if (contentType === undefined) return undefined;
    const compiled = this.deps.jit.compiledQuery(operationName, query);
    if (!compiled || nulInVariablesError(variables)) return undefined;

    const context = await this.deps.contexts.create(this.deps.contextInput(request));
    this.contexts.set(request, context);
    if (context.authError || !context.user) return undefined;
    const started = process.hrtime.bigint();
    const result = await runCompiled(compiled.query, context, variables);
    if (!result) return undefined;
    let errors: GraphQLFormattedError[] | undefined;
    if (result.errors) {
      errors = this.presentable(result.errors, context);
      if (!errors) {
        this.deps.jit.adopt(context, operationKey(operationName, query), result);
        return undefined;
      }
    }
    this.deps.recordOperation(this.deps.log, {
      operationName: compiled.operationName,
      type: compiled.type,
      seconds: Number(process.hrtime.bigint() - started) / 1e9,
      errorCodes: errors ? errors.map(codeOf) : [],
      requestId: context.requestId,
    });
    reply.header('content-type', contentType);
    // Apollo's field order (errors, data) and its stringifyResult (JSON and a newline).
    return JSON.stringify(errors ? { errors, data: result.data } : { data: result.data }) + '\n';
  }

  /** The context made for this request by `serve`, if any: Apollo reuses it (one authentication per request). */
  contextOf(request: FastifyRequest): GraphQLContext | undefined {
    return this.contexts.get(request);
  }

  /** After Apollo answered a POST: which content type it chose for this Accept value. */
  learn(request: FastifyRequest, reply: FastifyReply): void {
    const accept = request.headers.accept;
    if (accept === undefined || request.method !== 'POST' || reply.statusCode !== 200 || this.contentTypes.has(accept)) return;
    const chosen = reply.getHeader('content-type');
    if (typeof chosen === 'string' && SINGLE_RESULT_TYPES.has(chosen) && this.contentTypes.size < MAX_ACCEPT_VALUES)
      this.contentTypes.set(accept, chosen);
  }

  /**
   * The errors as Apollo would send them, when each is an expected one: an AppError with no HTTP
   * status or header of its own and not SERVICE_UNAVAILABLE (Apollo answers that 503). Apollo's
   * errorNormalize (extensions with a code, `http` taken out), then formatError, then the
   * localization its willSendResponse hook does. Undefined otherwise.
   */
  private presentable(errors: readonly GraphQLError[], context: GraphQLContext): GraphQLFormattedError[] | undefined {
    const out: GraphQLFormattedError[] = [];
    for (const error of errors) {
      if (!(error instanceof GraphQLError) || !(error.originalError instanceof AppError)) return undefined;
      const { extensions } = error;
      if (extensions.http !== undefined || extensions.code === ErrorCode.SERVICE_UNAVAILABLE) return undefined;
      const enriched = { ...error.toJSON(), extensions: { ...extensions, code: extensions.code ?? ErrorCode.INTERNAL_SERVER_ERROR } };
      out.push(localizeError(this.deps.formatError(enriched, error), context, this.deps.log));
    }
    return out;
  }
}
