// Transactions (docs/encoding.md §3): bytes, signing bytes, signed bytes, hash.
import { Reader, Writer, decodeCanonical, u64, type U64 } from "./borsh.js";
import { concat, hex, sha256, toBytes } from "./bytes.js";
import { verifyStrict, type Keypair } from "./keys.js";
import { readOperation, writeOperation, type Operation } from "./ops.js";

export const TX_DOMAIN = "yui/tx/v1";
export const TX_BYTES_MAX = 4096;

export type Expiry = { kind: "height"; value: U64 } | { kind: "time"; value: U64 };

export const Expiry = {
  height: (h: U64): Expiry => ({ kind: "height", value: h }),
  time: (ms: U64): Expiry => ({ kind: "time", value: ms }),
  /** A time expiry `ms` from now (block time is the proposer's clock: keep a margin). */
  inMs: (ms: number): Expiry => ({ kind: "time", value: BigInt(Date.now() + ms) }),
};

export interface Transaction {
  chain_id: string;
  signer: Uint8Array | string;
  nonce: U64;
  expiry: Expiry;
  op: Operation;
}

function writeTx(w: Writer, tx: Transaction): void {
  w.string(tx.chain_id);
  w.fixed(toBytes(tx.signer, 32, "signer"), 32);
  w.u64(tx.nonce);
  if (tx.expiry.kind === "height") w.u8(0);
  else if (tx.expiry.kind === "time") w.u8(1);
  else throw new Error(`unknown expiry kind ${(tx.expiry as { kind: unknown }).kind}`);
  w.u64(tx.expiry.value);
  writeOperation(w, tx.op);
}

function readTx(r: Reader): Transaction {
  const chain_id = r.string();
  const signer = r.fixed(32);
  const nonce = r.u64();
  const e = r.u8();
  if (e > 1) throw new Error(`unknown expiry index ${e}`);
  const expiry: Expiry = { kind: e === 0 ? "height" : "time", value: r.u64() };
  const op = readOperation(r);
  return { chain_id, signer, nonce, expiry, op };
}

/** `borsh(Transaction)`. */
export function encodeTx(tx: Transaction): Uint8Array {
  const w = new Writer();
  writeTx(w, tx);
  return w.finish();
}

/** Strict decoding of `borsh(Transaction)` (no trailing bytes, canonical). */
export function decodeTx(bytes: Uint8Array): Transaction {
  return decodeCanonical(bytes, readTx, encodeTx);
}

/** What the signer signs: `str("yui/tx/v1") ‖ borsh(Transaction)`. */
export function signBytesOf(txBytes: Uint8Array): Uint8Array {
  return new Writer().string(TX_DOMAIN).raw(txBytes).finish();
}

export function txHash(signedTx: Uint8Array): Uint8Array {
  return sha256(signedTx);
}

export class SignedTransaction {
  constructor(
    /** `borsh(Transaction)`. */
    readonly txBytes: Uint8Array,
    readonly signature: Uint8Array,
  ) {
    if (signature.length !== 64) throw new Error("signature must be 64 bytes");
  }

  get signBytes(): Uint8Array {
    return signBytesOf(this.txBytes);
  }
  /** `borsh(SignedTransaction)`: what `Transactions.Submit` takes. */
  get bytes(): Uint8Array {
    return concat(this.txBytes, this.signature);
  }
  /** The transaction's id: SHA-256 of the signed bytes, signature included. */
  get hash(): Uint8Array {
    return txHash(this.bytes);
  }
  get hashHex(): string {
    return hex(this.hash);
  }
  get tx(): Transaction {
    return decodeTx(this.txBytes);
  }
  /** Strict check of the signature against the transaction's signer. */
  verify(): boolean {
    return verifyStrict(toBytes(this.tx.signer, 32), this.signBytes, this.signature);
  }

  static fromBytes(signed: Uint8Array): SignedTransaction {
    if (signed.length > TX_BYTES_MAX) throw new Error(`signed transaction over ${TX_BYTES_MAX} bytes`);
    if (signed.length < 64) throw new Error("too short for a signed transaction");
    const txBytes = signed.subarray(0, signed.length - 64);
    decodeTx(txBytes);
    return new SignedTransaction(Uint8Array.from(txBytes), Uint8Array.from(signed.subarray(signed.length - 64)));
  }
}

/** Signs already-encoded transaction bytes (e.g. `PrepareResponse.tx_bytes`). */
export function signTxBytes(key: Keypair, txBytes: Uint8Array): SignedTransaction {
  return new SignedTransaction(Uint8Array.from(txBytes), key.sign(signBytesOf(txBytes)));
}

/** Builds and signs a transaction by `key` (its address is the signer). */
export function buildTx(key: Keypair, chainId: string, nonce: U64, expiry: Expiry, op: Operation): SignedTransaction {
  const txBytes = encodeTx({ chain_id: chainId, signer: key.address, nonce: u64(nonce), expiry, op });
  const signed = signTxBytes(key, txBytes);
  if (signed.bytes.length > TX_BYTES_MAX) throw new Error(`signed transaction is ${signed.bytes.length} bytes, over ${TX_BYTES_MAX}`);
  return signed;
}
