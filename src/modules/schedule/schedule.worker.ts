import type { Logger } from 'pino';
import { nextDelay } from './schedule-rules';

/** What the worker needs of the store of scheduled switches (ScheduleService; a fake in unit tests). */
export interface DueSwitches {
  /** The earliest `at` among PENDING switches, or null. */
  nextDueAt(): Promise<Date | null>;
  /**
   * Claims one due PENDING switch that no other instance holds, and settles it (APPLIED or FAILED)
   * in one transaction. Returns its id, or null when none is due and free.
   */
  settleNextDue(): Promise<string | null>;
}

export interface ScheduleWorkerOptions {
  /** The longest sleep between two looks (ms). Bounds the delay for switches created elsewhere. */
  pollMs: number;
  log: Pick<Logger, 'warn' | 'error' | 'debug'>;
  now?: () => number;
  /** Told of each switch this instance settled. */
  onSettled?: (id: string) => void;
}

/**
 * One per instance. It sleeps until the next due switch (never longer than `pollMs`), then settles
 * every due switch one transaction at a time; `wake(at)` brings the next look forward (a switch was
 * created here). Every instance may run one: claims use FOR UPDATE SKIP LOCKED, so two workers never
 * apply the same switch, and a switch leaves PENDING in the transaction that applies it.
 *
 * A claim is a row lock of an open transaction: if its instance dies, Postgres ends the connection's
 * transaction (rolled back) and drops the lock, so the switch is PENDING and free again for the next
 * look of any instance. (A connection that hangs without dying is ended by TCP keepalive or the
 * server's idle_in_transaction_session_timeout, where configured.)
 */
export class ScheduleWorker {
  private timer?: NodeJS.Timeout;
  private plannedAt = Infinity;
  private running?: Promise<void>;
  private again = false;
  private stopped = true;
  private readonly now: () => number;
  private readonly options: ScheduleWorkerOptions;

  constructor(
    private readonly store: DueSwitches,
    options: ScheduleWorkerOptions,
  ) {
    this.options = { ...options };
    this.now = options.now ?? Date.now;
  }

  /** Starts with a look right away: switches that fell due while no instance ran apply now. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.plan(0);
  }

  /** A switch due at `at` was created: look no later than then. */
  wake(at?: Date): void {
    if (this.stopped) return;
    this.plan(at ? Math.max(0, at.getTime() - this.now()) : 0);
  }

  /** No new look starts; the one under way finishes its transaction. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Also tell `listener` of each switch this instance settles (metrics, tests). */
  onSettled(listener: (id: string) => void): void {
    const previous = this.options.onSettled;
    this.options.onSettled = (id) => {
      previous?.(id);
      listener(id);
    };
  }

  get isRunning(): boolean {
    return !this.stopped;
  }

  private plan(delayMs: number): void {
    if (this.stopped) return;
    const at = this.now() + delayMs;
    if (this.running) {
      // A look is under way: it plans the next one when it ends; make sure that one is soon enough.
      if (delayMs === 0) this.again = true;
      else this.plannedAt = Math.min(this.plannedAt, at);
      return;
    }
    if (this.timer && at >= this.plannedAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.plannedAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.plannedAt = Infinity;
      this.running = this.look()
        .finally(() => (this.running = undefined))
        .then(() => this.afterLook());
    }, delayMs);
    this.timer.unref?.();
  }

  private nextDelayMs = 0;

  private afterLook(): void {
    if (this.stopped) return;
    const requested = this.plannedAt === Infinity ? Infinity : Math.max(0, this.plannedAt - this.now());
    this.plannedAt = Infinity;
    const delay = this.again ? 0 : Math.min(this.nextDelayMs, requested);
    this.again = false;
    this.plan(delay);
  }

  private async look(): Promise<void> {
    try {
      // Idle, a look is one indexed probe; a claim (a transaction) only once something is due.
      let next = await this.store.nextDueAt();
      if (next && next.getTime() <= this.now()) {
        while (!this.stopped) {
          const id = await this.store.settleNextDue();
          if (id === null) break;
          this.options.onSettled?.(id);
        }
        if (this.stopped) return;
        next = await this.store.nextDueAt();
      }
      this.nextDelayMs = nextDelay(next, this.now(), this.options.pollMs);
    } catch (e) {
      this.options.log.warn({ err: e }, 'scheduled switches: look failed; trying again after the poll interval');
      this.nextDelayMs = this.options.pollMs;
    }
  }
}
