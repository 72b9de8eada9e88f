// Borsh 1.x as Yui uses it (docs/encoding.md §1): a writer and a strict reader.
import { concat, equal } from "./bytes.js";

/** A u64 given as a bigint, a safe integer or a decimal string. */
export type U64 = bigint | number | string;

const U64_MAX = (1n << 64n) - 1n;

export function u64(v: U64, what = "u64"): bigint {
  let n: bigint;
  if (typeof v === "bigint") n = v;
  else if (typeof v === "number") {
    if (!Number.isSafeInteger(v)) throw new Error(`${what}: ${v} is not a safe integer (pass a bigint or a string)`);
    n = BigInt(v);
  } else if (typeof v === "string" && /^[0-9]+$/.test(v)) n = BigInt(v);
  else throw new Error(`${what}: not an unsigned integer: ${String(v)}`);
  if (n < 0n || n > U64_MAX) throw new Error(`${what}: out of range: ${n}`);
  return n;
}

export class Writer {
  private parts: Uint8Array[] = [];

  u8(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xff) throw new Error(`u8 out of range: ${v}`);
    this.parts.push(Uint8Array.of(v));
    return this;
  }
  bool(v: boolean): this {
    if (typeof v !== "boolean") throw new Error(`not a bool: ${String(v)}`);
    return this.u8(v ? 1 : 0);
  }
  u32(v: number | bigint): this {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`u32 out of range: ${v}`);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, n, true);
    this.parts.push(b);
    return this;
  }
  u64(v: U64): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, u64(v), true);
    this.parts.push(b);
    return this;
  }
  /** Fixed-size bytes, no length (`[u8; N]`). */
  fixed(b: Uint8Array, n?: number): this {
    if (n !== undefined && b.length !== n) throw new Error(`expected ${n} bytes, got ${b.length}`);
    this.parts.push(Uint8Array.from(b));
    return this;
  }
  /** `Vec<u8>`: u32 length then the bytes. */
  bytes(b: Uint8Array): this {
    this.u32(b.length);
    return this.fixed(b);
  }
  string(s: string): this {
    if (typeof s !== "string") throw new Error(`not a string: ${String(s)}`);
    if (!s.isWellFormed()) throw new Error("string is not well-formed UTF-16");
    return this.bytes(new TextEncoder().encode(s));
  }
  vec<T>(items: readonly T[], each: (w: this, item: T) => void): this {
    this.u32(items.length);
    for (const it of items) each(this, it);
    return this;
  }
  option<T>(v: T | null | undefined, some: (w: this, v: T) => void): this {
    if (v === null || v === undefined) return this.u8(0);
    this.u8(1);
    some(this, v);
    return this;
  }
  raw(b: Uint8Array): this {
    this.parts.push(Uint8Array.from(b));
    return this;
  }
  finish(): Uint8Array {
    return concat(...this.parts);
  }
}

export class DecodeError extends Error {}

/** A strict reader: every read is bounds-checked, `done()` refuses trailing bytes. */
export class Reader {
  private off = 0;
  constructor(private readonly buf: Uint8Array) {}

  get offset(): number {
    return this.off;
  }
  remaining(): number {
    return this.buf.length - this.off;
  }
  private take(n: number): Uint8Array {
    if (n > this.remaining()) throw new DecodeError(`unexpected end: need ${n} bytes at ${this.off}`);
    const out = this.buf.subarray(this.off, this.off + n);
    this.off += n;
    return out;
  }
  u8(): number {
    return this.take(1)[0]!;
  }
  bool(): boolean {
    const b = this.u8();
    if (b > 1) throw new DecodeError(`bool byte ${b}`);
    return b === 1;
  }
  u32(): number {
    const b = this.take(4);
    return new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true);
  }
  u64(): bigint {
    const b = this.take(8);
    return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
  }
  fixed(n: number): Uint8Array {
    return Uint8Array.from(this.take(n));
  }
  bytes(): Uint8Array {
    return this.fixed(this.u32());
  }
  string(): string {
    const b = this.bytes();
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(b);
    } catch {
      throw new DecodeError("invalid UTF-8");
    }
  }
  vec<T>(each: (r: this) => T): T[] {
    const n = this.u32();
    // Each element takes at least one byte: refuse counts the input cannot hold.
    if (n > this.remaining()) throw new DecodeError(`vector of ${n} elements in ${this.remaining()} bytes`);
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(each(this));
    return out;
  }
  option<T>(some: (r: this) => T): T | null {
    const tag = this.u8();
    if (tag === 0) return null;
    if (tag === 1) return some(this);
    throw new DecodeError(`option tag ${tag}`);
  }
  done(): void {
    if (this.remaining() !== 0) throw new DecodeError(`${this.remaining()} trailing bytes`);
  }
}

/** Decodes `buf` fully with `read`, then checks that `write` gives the same bytes back. */
export function decodeCanonical<T>(buf: Uint8Array, read: (r: Reader) => T, write: (v: T) => Uint8Array): T {
  const r = new Reader(buf);
  const v = read(r);
  r.done();
  if (!equal(write(v), buf)) throw new DecodeError("non-canonical encoding");
  return v;
}
