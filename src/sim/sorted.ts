/**
 * A sorted list with positional access: insert, delete, the k-th element and "how many come before
 * this key" all cost O(log n), so a page anywhere in a list of 100,000 records costs what the page
 * costs.
 *
 * Hand-written on purpose. A call sits in a dozen of these (every filter combination a vendor
 * documents), so the per-entry cost decides the memory per call: a tree with a node per entry (the
 * red-black trees of js-sdsl or functional-red-black-tree) costs 60-80 bytes an entry, blocks of
 * plain arrays cost about 9. The blocks are found by binary search over their last elements, and a
 * Fenwick tree over the block sizes turns a position into a block in O(log n).
 */

/** A block splits above this; small enough that a splice inside it is a short memmove. */
const MAX_BLOCK = 256;
/** A block this small merges into its neighbour, so deletions never leave a long tail of crumbs. */
const MIN_BLOCK = MAX_BLOCK / 8;

export class SortedList<T> {
  private blocks: T[][] = [];
  /** Fenwick tree over block sizes, 1-based: prefix sums in O(log blocks). */
  private tree: number[] = [0];
  private count = 0;

  /** `before(a, b)`: a sorts strictly before b. Keys must be unique and never change while listed. */
  constructor(private readonly before: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.count;
  }

  insert(x: T): void {
    this.count++;
    const blocks = this.blocks;
    if (!blocks.length) {
      blocks.push([x]);
      this.rebuild();
      return;
    }
    // Records arrive mostly in key order: the common case is an append.
    const lastBlock = blocks.length - 1;
    const tail = blocks[lastBlock];
    let b: number;
    if (this.before(tail[tail.length - 1], x)) {
      b = lastBlock;
      tail.push(x);
    } else {
      b = this.blockFor(x);
      const block = blocks[b];
      block.splice(this.indexIn(block, x), 0, x);
    }
    if (blocks[b].length > MAX_BLOCK) {
      const block = blocks[b];
      blocks.splice(b + 1, 0, block.splice(MAX_BLOCK >> 1));
      this.rebuild();
    } else this.add(b, 1);
  }

  /** Removes this very record (found by its key); false when it is not listed. */
  delete(x: T): boolean {
    if (!this.count) return false;
    const b = this.blockFor(x);
    const block = this.blocks[b];
    let i = this.indexIn(block, x);
    while (i < block.length && block[i] !== x && !this.before(x, block[i])) i++;
    if (block[i] !== x) return false;
    block.splice(i, 1);
    this.count--;
    if (!block.length) {
      this.blocks.splice(b, 1);
      this.rebuild();
    } else if (block.length < MIN_BLOCK && this.blocks.length > 1) {
      const n = b + 1 < this.blocks.length ? b + 1 : b - 1;
      const [lo, hi] = n > b ? [b, n] : [n, b];
      if (this.blocks[lo].length + this.blocks[hi].length <= MAX_BLOCK) {
        this.blocks[lo] = this.blocks[lo].concat(this.blocks[hi]);
        this.blocks.splice(hi, 1);
        this.rebuild();
      } else this.add(b, -1);
    } else this.add(b, -1);
    return true;
  }

  /** The element at position k (0 = first), or undefined past the end. */
  at(k: number): T | undefined {
    if (k < 0 || k >= this.count) return undefined;
    const b = this.blockAt(k);
    return this.blocks[b][k - this.prefix(b)];
  }

  /**
   * How many elements satisfy `isBefore`, which must hold for a leading run of the list and not
   * after it (e.g. "created before t"): the position where that run ends.
   */
  countWhile(isBefore: (x: T) => boolean): number {
    const blocks = this.blocks;
    let lo = 0;
    let hi = blocks.length;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      const block = blocks[m];
      if (isBefore(block[block.length - 1])) lo = m + 1;
      else hi = m;
    }
    if (lo === blocks.length) return this.count;
    const block = blocks[lo];
    let i = 0;
    let j = block.length;
    while (i < j) {
      const m = (i + j) >> 1;
      if (isBefore(block[m])) i = m + 1;
      else j = m;
    }
    return this.prefix(lo) + i;
  }

  /** Elements at positions end-1, end-2, … down to `start`, appended to `out` (newest first). */
  collectDown(start: number, end: number, out: T[]): T[] {
    if (end > this.count) end = this.count;
    if (start < 0) start = 0;
    if (end <= start) return out;
    let b = this.blockAt(end - 1);
    let i = end - 1 - this.prefix(b);
    let left = end - start;
    while (left > 0) {
      const block = this.blocks[b];
      for (; i >= 0 && left > 0; i--, left--) out.push(block[i]);
      b--;
      if (b >= 0) i = this.blocks[b].length - 1;
    }
    return out;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (const block of this.blocks) yield* block;
  }

  /** The elements that pass, in order, as a new list: O(n), no comparisons. */
  filter(keep: (x: T) => boolean): SortedList<T> {
    const out = new SortedList<T>(this.before);
    let block: T[] = [];
    for (const b of this.blocks)
      for (const x of b)
        if (keep(x)) {
          block.push(x);
          if (block.length === MAX_BLOCK >> 1) {
            out.blocks.push(block);
            block = [];
          }
        }
    if (block.length) out.blocks.push(block);
    out.count = out.blocks.reduce((n, b) => n + b.length, 0);
    out.rebuild();
    return out;
  }

  /** The first block whose last element does not sort before x (the last block if none). */
  private blockFor(x: T): number {
    const blocks = this.blocks;
    let lo = 0;
    let hi = blocks.length - 1;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      const block = blocks[m];
      if (this.before(block[block.length - 1], x)) lo = m + 1;
      else hi = m;
    }
    return lo;
  }

  private indexIn(block: T[], x: T): number {
    let i = 0;
    let j = block.length;
    while (i < j) {
      const m = (i + j) >> 1;
      if (this.before(block[m], x)) i = m + 1;
      else j = m;
    }
    return i;
  }

  private rebuild(): void {
    const n = this.blocks.length;
    const tree = new Array<number>(n + 1).fill(0);
    for (let i = 1; i <= n; i++) {
      tree[i] += this.blocks[i - 1].length;
      const parent = i + (i & -i);
      if (parent <= n) tree[parent] += tree[i];
    }
    this.tree = tree;
  }

  private add(block: number, delta: number): void {
    const tree = this.tree;
    for (let i = block + 1; i < tree.length; i += i & -i) tree[i] += delta;
  }

  /** Elements in the blocks before `block`. */
  private prefix(block: number): number {
    let sum = 0;
    for (let i = block; i > 0; i -= i & -i) sum += this.tree[i];
    return sum;
  }

  /** The block holding position k (0 ≤ k < count). */
  private blockAt(k: number): number {
    const tree = this.tree;
    let pos = 0;
    let step = 1;
    while (step * 2 < tree.length) step *= 2;
    for (; step > 0; step >>= 1) {
      const next = pos + step;
      if (next < tree.length && tree[next] <= k) {
        pos = next;
        k -= tree[next];
      }
    }
    return pos;
  }
}
