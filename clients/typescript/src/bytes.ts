// Byte helpers: hex, concatenation, comparison, SHA-256.
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";

export type Bytes = Uint8Array;

export function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");
}

export function fromHex(s: string): Uint8Array {
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) throw new Error(`not hex: ${JSON.stringify(s)}`);
  return new Uint8Array(Buffer.from(s, "hex"));
}

/** Bytes from a hex string, a Uint8Array (copied) or a Buffer. */
export function toBytes(v: string | Uint8Array, len?: number, what = "bytes"): Uint8Array {
  const b = typeof v === "string" ? fromHex(v) : new Uint8Array(v);
  if (len !== undefined && b.length !== len) throw new Error(`${what}: expected ${len} bytes, got ${b.length}`);
  return b;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const n = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function sha256(...parts: Uint8Array[]): Uint8Array {
  return nobleSha256(parts.length === 1 ? parts[0]! : concat(...parts));
}

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
