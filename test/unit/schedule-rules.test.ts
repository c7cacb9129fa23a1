import { AppError, ConflictError, ErrorCode, NotFoundError, UserInputError } from '../../src/common/errors';
import { normalizeReason } from '../../src/modules/activation/reason';
import { checkCancellable, checkScheduleTime, failureOf, nextDelay, ScheduledChangeStatus } from '../../src/modules/schedule/schedule-rules';
import { ScheduleWorker, type DueSwitches } from '../../src/modules/schedule/schedule.worker';
import { decodeScheduleCursor, encodeScheduleCursor } from '../../src/modules/schedule/schedule.service';

const NOW = new Date('2026-11-29T12:00:00.000Z');
const DAY = 86_400_000;

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as AppError).code;
  }
  return undefined;
}

describe('the rules of a scheduled switch', () => {
  test('at must be in the future and at most 366 days ahead', () => {
    expect(codeOf(() => checkScheduleTime(new Date(NOW.getTime() + 1), NOW))).toBeUndefined();
    expect(codeOf(() => checkScheduleTime(new Date(NOW.getTime() + 366 * DAY), NOW))).toBeUndefined();
    expect(codeOf(() => checkScheduleTime(NOW, NOW))).toBe(ErrorCode.BAD_USER_INPUT);
    expect(codeOf(() => checkScheduleTime(new Date(NOW.getTime() - 1000), NOW))).toBe(ErrorCode.BAD_USER_INPUT);
    expect(codeOf(() => checkScheduleTime(new Date(NOW.getTime() + 366 * DAY + 1), NOW))).toBe(ErrorCode.BAD_USER_INPUT);
    expect(codeOf(() => checkScheduleTime(new Date(NaN), NOW))).toBe(ErrorCode.BAD_USER_INPUT);
  });

  test('only a PENDING switch can be cancelled; any other status is CONFLICT', () => {
    expect(codeOf(() => checkCancellable('s', ScheduledChangeStatus.PENDING))).toBeUndefined();
    for (const s of [ScheduledChangeStatus.APPLIED, ScheduledChangeStatus.CANCELLED, ScheduledChangeStatus.FAILED]) {
      expect(codeOf(() => checkCancellable('s', s))).toBe(ErrorCode.CONFLICT);
    }
  });

  test('a failed check becomes FAILED with its code and message; anything else is retried', () => {
    expect(failureOf(new ConflictError('activation.versionConflict', { provider: 'p', capability: 'CHAT', actual: 2, expected: 1 }))).toEqual({
      code: 'CONFLICT',
      key: 'activation.versionConflict',
      params: { provider: 'p', capability: 'CHAT', actual: 2, expected: 1 },
    });
    expect(failureOf(new NotFoundError('model.notFound', { id: 'x' }))?.code).toBe('NOT_FOUND');
    expect(failureOf(new UserInputError('model.lacksCapability', { name: 'm', capability: 'CODE' }))?.code).toBe('BAD_USER_INPUT');
    expect(failureOf(new Error('connection terminated'))).toBeUndefined();
    expect(failureOf(Object.assign(new Error('deadlock'), { code: '40P01' }))).toBeUndefined();
  });

  test('the worker sleeps until the next due switch, never longer than the poll interval, never in a tight loop', () => {
    const now = NOW.getTime();
    expect(nextDelay(null, now, 1000)).toBe(1000);
    expect(nextDelay(new Date(now + 300), now, 1000)).toBe(300);
    expect(nextDelay(new Date(now + 60_000), now, 1000)).toBe(1000);
    expect(nextDelay(new Date(now - 5), now, 1000)).toBe(25);
  });

  test('reason: trimmed, empty is none, at most 500 characters', () => {
    expect(normalizeReason(undefined)).toBeNull();
    expect(normalizeReason(null)).toBeNull();
    expect(normalizeReason('   ')).toBeNull();
    expect(normalizeReason('  rollout of v2 \n')).toBe('rollout of v2');
    expect(normalizeReason('x'.repeat(500))).toHaveLength(500);
    expect(normalizeReason('  ' + 'ش'.repeat(500) + '  ')).toHaveLength(500);
    expect(codeOf(() => normalizeReason('x'.repeat(501)))).toBe(ErrorCode.BAD_USER_INPUT);
  });

  test('list cursors round-trip and malformed ones are refused', () => {
    const s = { at: new Date('2026-12-01T02:00:00.123Z'), id: '0b0e3c1e-8f55-4c57-9d0a-6c1f1e2a3b4c' };
    expect(decodeScheduleCursor(encodeScheduleCursor(s))).toEqual(s);
    expect(decodeScheduleCursor('nonsense')).toBeUndefined();
    expect(decodeScheduleCursor(Buffer.from('1:not-a-uuid').toString('base64url'))).toBeUndefined();
  });
});

/**
 * An in-memory store of switches standing in for Postgres: `settleNextDue` claims atomically (a
 * switch leaves `due` once, like a row claimed with SKIP LOCKED and settled in that transaction).
 */
class FakeSwitches implements DueSwitches {
  readonly pending = new Map<string, number>();
  readonly settled: string[] = [];
  failNext = 0;
  /** Resolves the in-flight settle when set (to stop mid-apply). */
  gate?: Promise<void>;

  add(id: string, at: number) {
    this.pending.set(id, at);
  }
  async nextDueAt() {
    const ats = [...this.pending.values()];
    return ats.length ? new Date(Math.min(...ats)) : null;
  }
  async settleNextDue() {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('database unreachable');
    }
    const due = [...this.pending].filter(([, at]) => at <= Date.now()).sort((a, b) => a[1] - b[1])[0];
    if (!due) return null;
    this.pending.delete(due[0]);
    if (this.gate) await this.gate;
    this.settled.push(due[0]);
    return due[0];
  }
}

describe('the per-instance worker (on an in-memory store, fake clock)', () => {
  const log = { warn: jest.fn(), error: jest.fn(), debug: jest.fn() };
  const workers: ScheduleWorker[] = [];
  const worker = (store: DueSwitches, pollMs = 1000, onSettled?: (id: string) => void) => {
    const w = new ScheduleWorker(store, { pollMs, log, onSettled });
    workers.push(w);
    return w;
  };

  beforeEach(() => {
    jest.useFakeTimers({ now: NOW });
  });
  afterEach(async () => {
    for (const w of workers.splice(0)) await w.stop();
    jest.useRealTimers();
  });

  test('at start, switches that fell due while nothing ran are applied at once', async () => {
    const store = new FakeSwitches();
    store.add('a', NOW.getTime() - 60_000);
    store.add('b', NOW.getTime() - 1);
    worker(store).start();
    await jest.advanceTimersByTimeAsync(0);
    expect(store.settled).toEqual(['a', 'b']);
  });

  test('it wakes at the next due time, not before', async () => {
    const store = new FakeSwitches();
    store.add('later', NOW.getTime() + 700);
    worker(store, 5000).start();
    await jest.advanceTimersByTimeAsync(699);
    expect(store.settled).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(store.settled).toEqual(['later']);
  });

  test('a switch created elsewhere is found by the bounded poll', async () => {
    const store = new FakeSwitches();
    worker(store, 1000).start();
    await jest.advanceTimersByTimeAsync(10);
    store.add('elsewhere', NOW.getTime() + 200);
    await jest.advanceTimersByTimeAsync(989);
    expect(store.settled).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(store.settled).toEqual(['elsewhere']);
  });

  test('wake(at) brings the next look forward for a switch created on this instance', async () => {
    const store = new FakeSwitches();
    const w = worker(store, 60_000);
    w.start();
    await jest.advanceTimersByTimeAsync(10);
    store.add('here', NOW.getTime() + 500);
    w.wake(new Date(NOW.getTime() + 500));
    await jest.advanceTimersByTimeAsync(490);
    expect(store.settled).toEqual(['here']);
  });

  test('two workers on one store settle each switch once', async () => {
    const store = new FakeSwitches();
    for (let i = 0; i < 50; i++) store.add(`s${i}`, NOW.getTime() + 100);
    const byWorker: string[][] = [[], []];
    worker(store, 1000, (id) => byWorker[0].push(id)).start();
    worker(store, 1000, (id) => byWorker[1].push(id)).start();
    await jest.advanceTimersByTimeAsync(100);
    expect(store.settled).toHaveLength(50);
    expect(new Set(store.settled).size).toBe(50);
    expect(byWorker[0].length + byWorker[1].length).toBe(50);
    expect(byWorker[0].filter((id) => byWorker[1].includes(id))).toEqual([]);
  });

  test('stop() lets the switch being applied finish, then nothing more is claimed', async () => {
    const store = new FakeSwitches();
    let release!: () => void;
    store.gate = new Promise((r) => (release = r));
    store.add('first', NOW.getTime() - 1);
    store.add('second', NOW.getTime() - 1);
    const w = worker(store);
    w.start();
    await jest.advanceTimersByTimeAsync(0);
    const stopped = w.stop();
    release();
    await stopped;
    expect(store.settled).toEqual(['first']);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(store.settled).toEqual(['first']);
    expect([...store.pending.keys()]).toEqual(['second']);
  });

  test('a failed look is retried after the poll interval', async () => {
    const store = new FakeSwitches();
    store.failNext = 1;
    store.add('x', NOW.getTime() - 1);
    worker(store, 1000).start();
    await jest.advanceTimersByTimeAsync(0);
    expect(store.settled).toEqual([]);
    expect(log.warn).toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1000);
    expect(store.settled).toEqual(['x']);
  });
});
