import { PubSub } from 'graphql-subscriptions';
import pino from 'pino';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Capability } from '../../src/common/capability';
import { ACTIVE_MODEL_CHANGED, toPayload } from '../../src/modules/activation/activation-events';
import type { ActivationRepository } from '../../src/modules/activation/activation.repository';
import type { ChangeRecord } from '../../src/modules/activation/change-record';
import { ChangeSequencer } from '../../src/modules/activation/change-sequencer';
import { EventBus } from '../../src/pubsub/event-bus';

/**
 * The sequencer on fakes: an in-process bus and an in-memory history. Events arrive in any order,
 * repeated or missing; listeners must see each committed change once, in cursor order.
 */
const change = (id: number): ChangeRecord => ({
  id: String(id),
  providerId: 'p1',
  capability: Capability.CHAT,
  aiModelId: `m${id}`,
  previousAiModelId: null,
  version: id,
  changedAt: new Date(0),
  changedBy: 'test',
  reason: null,
  scheduledChangeId: null,
});

function setup(committed: number[], startAfter = 0) {
  const history = committed.map(change);
  const repository = {
    lastChangeId: async () => BigInt(startAfter),
    changesAfter: async (_em: unknown, afterId: string, options: { beforeId?: string; limit?: number } = {}) =>
      history
        .filter((c) => BigInt(c.id) > BigInt(afterId) && (options.beforeId === undefined || BigInt(c.id) < BigInt(options.beforeId)))
        .slice(0, options.limit ?? Infinity),
  } as unknown as ActivationRepository;
  const rootEm = { fork: () => ({}) } as unknown as EntityManager;
  const bus = new EventBus(new PubSub());
  const sequencer = new ChangeSequencer(rootEm, repository, bus, pino({ level: 'silent' }));
  const seen: string[] = [];
  sequencer.onChange((c) => seen.push(c.id));
  const publish = (id: number) => bus.publish(ACTIVE_MODEL_CHANGED, toPayload(change(id)));
  /** Waits until the sequencer has delivered `n` changes (it works on a promise chain). */
  const delivered = async (n: number) => {
    for (let i = 0; i < 1000 && seen.length < n; i++) await new Promise((r) => setImmediate(r));
    return seen;
  };
  return { sequencer, seen, publish, delivered };
}

test('changes arriving in order are delivered in order, each once', async () => {
  const s = setup([1, 2, 3]);
  await s.sequencer.start();
  await s.publish(1);
  await s.publish(2);
  await s.publish(2);
  await s.publish(3);
  expect(await s.delivered(3)).toEqual(['1', '2', '3']);
  await s.sequencer.stop();
  expect(s.seen).toEqual(['1', '2', '3']);
});

test('a change that skips ahead is preceded by the missing ones, read from the history', async () => {
  const s = setup([1, 2, 3, 4]);
  await s.sequencer.start();
  await s.publish(4);
  expect(await s.delivered(4)).toEqual(['1', '2', '3', '4']);
  // The skipped ones arriving late are duplicates now.
  await s.publish(2);
  await s.publish(3);
  await s.sequencer.stop();
  expect(s.seen).toEqual(['1', '2', '3', '4']);
});

test('changes committed before start are not replayed; resync delivers what was missed since', async () => {
  const s = setup([1, 2, 3, 4, 5], 2);
  await s.sequencer.start();
  s.sequencer.resync();
  expect(await s.delivered(3)).toEqual(['3', '4', '5']);
  await s.sequencer.stop();
});
