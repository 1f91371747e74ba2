/**
 * Where instances sharing a session cookie meet to refresh it once: a lease per old cookie (the
 * holder refreshes) and the outcome, kept for the grace window. Keys are hashes of the old cookie
 * and outcomes are encrypted with a key only the old cookie yields (see sealed-outcome.ts), so
 * the store never holds anything a reader could use.
 * @internal
 */
export interface RefreshStore {
  /** The outcome stored for `key`, while its window lasts. */
  read(key: string): Promise<string | undefined>;
  /** Takes the lease on `key` for `leaseMs` unless another holds it or an outcome is stored. */
  claim(key: string, holder: string, leaseMs: number): Promise<boolean>;
  /** Stores the outcome for `ttlMs` and ends `holder`'s lease. */
  write(key: string, holder: string, outcome: string, ttlMs: number): Promise<void>;
  /** Ends `holder`'s lease without an outcome: another instance may try. */
  release(key: string, holder: string): Promise<void>;
  close(): Promise<void>;
}
