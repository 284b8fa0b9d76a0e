type TypedArray = Int32Array | Uint32Array | Uint8Array;
type TypedArrayConstructor<T extends TypedArray> = new (length: number) => T;

const PAGE_BITS = 16;
const PAGE_SIZE = 1 << PAGE_BITS;
const PAGE_MASK = PAGE_SIZE - 1;

/**
 * A typed array indexed by row number that grows a 64 K-entry page at a time: never copied, so memory
 * rises smoothly with the row count instead of doubling (and briefly tripling) at each growth.
 */
export class PagedArray<T extends TypedArray> {
  private readonly pages: T[] = [];

  constructor(private readonly kind: TypedArrayConstructor<T>) {}

  get(index: number): number {
    return this.pages[index >>> PAGE_BITS]?.[index & PAGE_MASK] ?? 0;
  }

  set(index: number, value: number): void {
    const page = index >>> PAGE_BITS;
    while (this.pages.length <= page) this.pages.push(new this.kind(PAGE_SIZE));
    this.pages[page]![index & PAGE_MASK] = value;
  }
}
