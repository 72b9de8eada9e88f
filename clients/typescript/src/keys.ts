// Keys, addresses and signatures (docs/encoding.md §2) and key files (§7).
import { readFileSync } from "node:fs";
import * as ed from "@noble/ed25519";
import { sha512 } from "@noble/hashes/sha2.js";
import { concat, equal, fromHex, hex, toBytes } from "./bytes.js";

ed.hashes.sha512 = sha512;

/** An address is the 32-byte ed25519 public key itself. */
export type Address = Uint8Array;

export const ZERO_ADDRESS: Address = new Uint8Array(32);

export class Keypair {
  readonly seed: Uint8Array;
  readonly address: Address;

  constructor(seed: Uint8Array | string) {
    this.seed = toBytes(seed, 32, "secret seed");
    this.address = ed.getPublicKey(this.seed);
  }

  get addressHex(): string {
    return hex(this.address);
  }

  /** ed25519 (RFC 8032) over exactly `msg`, no pre-hash. */
  sign(msg: Uint8Array): Uint8Array {
    return ed.sign(msg, this.seed);
  }
}

/** Reads a key file `{"address": hex, "secret_seed": hex}`; refuses one whose address does not match its seed. */
export function loadKeyFile(path: string): Keypair {
  return keypairFromJson(readFileSync(path, "utf8"));
}

export function keypairFromJson(text: string): Keypair {
  const j = JSON.parse(text) as { address?: unknown; secret_seed?: unknown };
  if (typeof j.address !== "string" || typeof j.secret_seed !== "string") {
    throw new Error("key file: expected string fields `address` and `secret_seed`");
  }
  const kp = new Keypair(fromHex(j.secret_seed));
  if (!equal(kp.address, fromHex(j.address))) throw new Error("key file: address does not match the seed");
  return kp;
}

export function keypairToJson(kp: Keypair): string {
  return JSON.stringify({ address: kp.addressHex, secret_seed: hex(kp.seed) }, null, 2);
}

// The order of the ed25519 base point.
const L = (1n << 252n) + 27742317777372353535851937790883648493n;

function leToBigint(b: Uint8Array): bigint {
  let n = 0n;
  for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i]!);
  return n;
}

/**
 * Strict verification, the rules every Yui node applies (ed25519-dalek's
 * `verify_strict`): canonical encodings of the key and of R, neither of small
 * order, S < ℓ, and the cofactorless equation [S]B = R + [k]A.
 */
export function verifyStrict(publicKey: Uint8Array, msg: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  let A: ed.Point, R: ed.Point;
  try {
    A = ed.Point.fromBytes(publicKey, false);
    R = ed.Point.fromBytes(signature.subarray(0, 32), false);
  } catch {
    return false;
  }
  if (A.isSmallOrder() || R.isSmallOrder()) return false;
  const s = leToBigint(signature.subarray(32));
  if (s >= L) return false;
  const k = leToBigint(sha512(concat(signature.subarray(0, 32), publicKey, msg))) % L;
  const sB = s === 0n ? ed.Point.ZERO : ed.Point.BASE.multiply(s, false);
  const kA = k === 0n ? ed.Point.ZERO : A.multiply(k, false);
  return sB.equals(R.add(kA));
}
