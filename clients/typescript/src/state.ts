// State records (docs/encoding.md §12) and Jellyfish Merkle proofs (§13).
import { Reader, Writer, decodeCanonical } from "./borsh.js";
import { concat, equal, sha256, toBytes, utf8 } from "./bytes.js";
import { readRole, type Json } from "./ops.js";

// ---- keys ----------------------------------------------------------------

export const accountKey = (addr: Uint8Array | string): Uint8Array => concat(Uint8Array.of(0x61), toBytes(addr, 32, "address"));

export const holdingKey = (addr: Uint8Array | string, asset: string): Uint8Array =>
  new Writer().u8(0x62).fixed(toBytes(addr, 32, "address"), 32).string(asset).finish();

export const assetKey = (asset: string): Uint8Array => new Writer().u8(0x73).string(asset).finish();

export const invoiceKey = (merchant: Uint8Array | string, invoiceId: string): Uint8Array =>
  new Writer().u8(0x69).fixed(toBytes(merchant, 32, "merchant"), 32).string(invoiceId).finish();

export const campaignKey = (id: string): Uint8Array => new Writer().u8(0x63).string(id).finish();

// ---- values --------------------------------------------------------------

export interface AccountRecord {
  nonce: bigint;
  roles: Json[];
  name: string;
}

export function decodeAccount(value: Uint8Array): AccountRecord {
  const r = new Reader(value);
  const out = { nonce: r.u64(), roles: r.vec(readRole), name: r.string() };
  r.done();
  return out;
}

export interface Lot {
  amount: bigint;
  expires_at: bigint | null;
}

export interface Holding {
  lots: Lot[];
  last_change_ms: bigint;
}

function writeHolding(h: Holding): Uint8Array {
  return new Writer()
    .vec(h.lots, (w, l) => w.u64(l.amount).option(l.expires_at, (w, t) => w.u64(t)))
    .u64(h.last_change_ms)
    .finish();
}

export function decodeHolding(value: Uint8Array): Holding {
  return decodeCanonical(
    value,
    (r) => ({ lots: r.vec((r) => ({ amount: r.u64(), expires_at: r.option((r) => r.u64()) })), last_change_ms: r.u64() }),
    writeHolding,
  );
}

export const holdingBalance = (h: Holding): bigint => h.lots.reduce((a, l) => a + l.amount, 0n);

// ---- proofs ----------------------------------------------------------------

export const PLACEHOLDER = utf8("SPARSE_MERKLE_PLACEHOLDER_HASH__");
const LEAF_DOMAIN = utf8("JMT::LeafNode");
const INTERNAL_DOMAIN = utf8("JMT::IntrnalNode");

export const leafHash = (keyHash: Uint8Array, valueHash: Uint8Array): Uint8Array => sha256(LEAF_DOMAIN, keyHash, valueHash);
export const internalHash = (left: Uint8Array, right: Uint8Array): Uint8Array => sha256(INTERNAL_DOMAIN, left, right);

export type Sibling =
  | { kind: "null" }
  | { kind: "internal"; left: Uint8Array; right: Uint8Array }
  | { kind: "leaf"; key_hash: Uint8Array; value_hash: Uint8Array };

export interface SparseMerkleProof {
  leaf: { key_hash: Uint8Array; value_hash: Uint8Array } | null;
  /** Bottom first. */
  siblings: Sibling[];
}

function writeProof(p: SparseMerkleProof): Uint8Array {
  return new Writer()
    .option(p.leaf, (w, l) => w.fixed(l.key_hash, 32).fixed(l.value_hash, 32))
    .vec(p.siblings, (w, s) => {
      if (s.kind === "null") w.u8(0);
      else if (s.kind === "internal") w.u8(1).fixed(s.left, 32).fixed(s.right, 32);
      else w.u8(2).fixed(s.key_hash, 32).fixed(s.value_hash, 32);
    })
    .finish();
}

export function decodeProof(bytes: Uint8Array): SparseMerkleProof {
  return decodeCanonical(
    bytes,
    (r) => ({
      leaf: r.option((r) => ({ key_hash: r.fixed(32), value_hash: r.fixed(32) })),
      siblings: r.vec((r): Sibling => {
        const t = r.u8();
        if (t === 0) return { kind: "null" };
        if (t === 1) return { kind: "internal", left: r.fixed(32), right: r.fixed(32) };
        if (t === 2) return { kind: "leaf", key_hash: r.fixed(32), value_hash: r.fixed(32) };
        throw new Error(`unknown sibling kind ${t}`);
      }),
    }),
    writeProof,
  );
}

export function siblingHash(s: Sibling): Uint8Array {
  if (s.kind === "null") return PLACEHOLDER;
  if (s.kind === "internal") return internalHash(s.left, s.right);
  return leafHash(s.key_hash, s.value_hash);
}

export class ProofError extends Error {}

function bit(h: Uint8Array, i: number): number {
  return (h[i >> 3]! >> (7 - (i & 7))) & 1;
}

function commonPrefixBits(a: Uint8Array, b: Uint8Array): number {
  let n = 0;
  while (n < 256 && bit(a, n) === bit(b, n)) n++;
  return n;
}

/**
 * Verifies that `key` has `value` (or, with `value === null`, is absent) in
 * the tree whose root is `root`. Throws `ProofError` if not.
 */
export function verifyProof(root: Uint8Array, key: Uint8Array, value: Uint8Array | null, proofBytes: Uint8Array | SparseMerkleProof): void {
  const proof = proofBytes instanceof Uint8Array ? decodeProof(proofBytes) : proofBytes;
  const n = proof.siblings.length;
  if (n > 256) throw new ProofError(`${n} siblings, at most 256`);
  const kh = sha256(key);
  if (value !== null) {
    if (!proof.leaf) throw new ProofError("inclusion proof without a leaf");
    if (!equal(proof.leaf.key_hash, kh)) throw new ProofError("the proof's leaf is for another key");
    if (!equal(proof.leaf.value_hash, sha256(value))) throw new ProofError("the proof's leaf holds another value");
  } else if (proof.leaf) {
    if (equal(proof.leaf.key_hash, kh)) throw new ProofError("exclusion proof whose leaf is the key itself");
    if (commonPrefixBits(proof.leaf.key_hash, kh) < n) throw new ProofError("exclusion proof's leaf does not share the path");
  }
  let h = proof.leaf ? leafHash(proof.leaf.key_hash, proof.leaf.value_hash) : PLACEHOLDER;
  proof.siblings.forEach((s, i) => {
    const sh = siblingHash(s);
    h = bit(kh, n - 1 - i) === 1 ? internalHash(sh, h) : internalHash(h, sh);
  });
  if (!equal(h, root)) throw new ProofError("the proof does not lead to the state root");
}
