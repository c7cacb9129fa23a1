import { networkErrorCode } from './retry-policy';
import { UpstreamError } from './upstream-error';

/** The abort signal of one call: a deadline (or, for streams, an idle timer) plus the caller's signal. */
export class CallSignal {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private deadline = 0;
  private timedOut = false;
  private readonly onCallerAbort = (): void => this.controller.abort();

  constructor(
    private readonly timeoutMs: number,
    private readonly caller: AbortSignal | undefined,
  ) {
    if (caller?.aborted) this.controller.abort();
    else caller?.addEventListener('abort', this.onCallerAbort, { once: true });
    this.restart();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get remainingMs(): number {
    return this.deadline - Date.now();
  }

  /** (Re)arms the timer: a deadline for the whole call, or the idle limit between stream chunks. */
  restart(): void {
    this.pause();
    this.deadline = Date.now() + this.timeoutMs;
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort();
    }, this.timeoutMs);
    // A pending call keeps the process alive through its socket, not through this timer.
    this.timer.unref();
  }

  /** Stops the clock while a stream consumer holds a chunk: its slowness is not upstream silence. */
  pause(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  abort(): void {
    this.controller.abort();
  }

  dispose(): void {
    this.pause();
    this.caller?.removeEventListener('abort', this.onCallerAbort);
  }

  /** The error for a failure of the transport, knowing why the signal fired, if it did. */
  failure(err: unknown, what: string): UpstreamError {
    if (this.timedOut) return new UpstreamError('PROVIDER_ERROR', `upstream did not answer within ${this.timeoutMs} ms`);
    if (this.controller.signal.aborted) return new UpstreamError('PROVIDER_ERROR', 'upstream call aborted by the caller');
    if (err instanceof UpstreamError) return err;
    const code = networkErrorCode(err);
    return new UpstreamError('PROVIDER_ERROR', code ? `${what} (${code})` : what);
  }
}
