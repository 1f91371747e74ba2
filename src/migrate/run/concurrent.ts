/**
 * Runs `fn` over the items of an async iterable, at most `concurrency` at a time, pulling the
 * next item only when a slot frees (the input is streamed, never read ahead). A throw from `fn`
 * stops new items and is rethrown once those in flight settle. Resolves false when `signal`
 * stopped it before the end. @internal
 */
export async function forEachConcurrently<T>(
  items: AsyncIterable<T> | Iterable<T>,
  concurrency: number,
  fn: (item: T) => Promise<void>,
  signal?: AbortSignal,
): Promise<boolean> {
  const iterator =
    Symbol.asyncIterator in items
      ? items[Symbol.asyncIterator]()
      : (items as Iterable<T>)[Symbol.iterator]();
  let pulling: Promise<unknown> = Promise.resolve();
  let ended = false;
  let failure: { error: unknown } | undefined;
  // One pull at a time: a generator's next() must not overlap an earlier one.
  const pull = () => {
    const next = pulling.then(() => iterator.next());
    pulling = next.catch(() => undefined);
    return next;
  };
  const worker = async () => {
    while (!ended && !failure && !signal?.aborted) {
      let next: IteratorResult<T>;
      try {
        next = await pull();
      } catch (error) {
        failure ??= { error };
        return;
      }
      if (next.done) {
        ended = true;
        return;
      }
      try {
        await fn(next.value);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  if (!ended) await iterator.return?.();
  if (failure) throw failure.error;
  return ended;
}
