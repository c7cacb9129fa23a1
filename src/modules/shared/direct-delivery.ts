/**
 * A stream whose values can also be handed, synchronously, to a consumer registered with
 * `deliverTo` while its `next()` caller is waiting with nothing queued. The sink returns false
 * for a value it does not take; that value then goes through `next()` as usual.
 *
 * Why: a subscription's events normally travel one `next()` promise chain per subscriber; with
 * 10,000 subscribers that is 10,000 chains of microtasks between a commit and the last socket
 * write. A sink lets the transport send one change to all its subscribers in one loop.
 */
export interface DirectDelivery<T> {
  deliverTo(sink: ((value: T) => boolean) | undefined): void;
  /** True once the stream has ended: nothing it handed a sink is to be delivered any more. */
  readonly ended: boolean;
}

export function supportsDirectDelivery<T>(stream: unknown): stream is DirectDelivery<T> {
  return typeof (stream as Partial<DirectDelivery<T>>)?.deliverTo === 'function';
}
