/** How many unknown keys one process remembers (oldest forgotten first), so random names cannot grow it without bound. */
const MAX_ABSENT = 10_000;

/**
 * What one process holds: values by id with a generation per id (a reader that loaded before an
 * invalidation cannot store its copy after it), and the negative cache of names known not to exist.
 * The values are shared between requests as they are: nobody may change them.
 */
export class LocalSnapshots<T> {
  private readonly values = new Map<string, T>();
  private readonly generations = new Map<string, number>();
  private epoch = 0;
  private readonly absent = new Set<string>();
  private absentGeneration = 0;
  /** Ids this process has seen invalidated: an id not among them may be a new provider. */
  private readonly seenIds = new Set<string>();

  get(id: string): T | undefined {
    return this.values.get(id);
  }

  generation(id: string): string {
    return `${this.epoch}.${this.generations.get(id) ?? 0}`;
  }

  setIfUnchanged(id: string, value: T, generation: string): void {
    if (this.generation(id) === generation) this.values.set(id, value);
  }

  /**
   * Forgets these ids. A provider's first invalidation is the one its creation sends: an id never
   * seen before empties the negative cache, since its name may be in it.
   */
  drop(ids: readonly string[]): void {
    for (const id of ids) {
      this.generations.set(id, (this.generations.get(id) ?? 0) + 1);
      this.values.delete(id);
      if (!this.seenIds.has(id)) {
        this.seenIds.add(id);
        this.clearAbsent();
      }
    }
  }

  clear(): void {
    this.epoch++;
    this.values.clear();
    this.generations.clear();
    this.clearAbsent();
  }

  isAbsent(key: string): boolean {
    return this.absent.has(key);
  }

  absentToken(): number {
    return this.absentGeneration;
  }

  /** Remembers that `key` does not exist, unless the negative cache was emptied since `token` was taken. */
  rememberAbsent(key: string, token: number): void {
    if (token !== this.absentGeneration) return;
    if (this.absent.size >= MAX_ABSENT) this.absent.delete(this.absent.values().next().value!);
    this.absent.add(key);
  }

  private clearAbsent(): void {
    this.absentGeneration++;
    this.absent.clear();
  }
}
