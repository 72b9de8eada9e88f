// Genesis, blocks, votes and commit certificates (docs/encoding.md §10–§11).
import { Reader, Writer, decodeCanonical, type U64 } from "./borsh.js";
import { equal, hex, sha256, toBytes } from "./bytes.js";
import { verifyStrict } from "./keys.js";
import { writeAssetClass, writeRole, type Json } from "./ops.js";

// ---- genesis -------------------------------------------------------------

/** `borsh(Genesis)` from the genesis JSON, defaults filled in, lists in JSON order. */
export function genesisBorsh(g: Json): Uint8Array {
  const w = new Writer();
  w.string(g.chain_id as string);
  w.u64(g.genesis_time_ms as U64);
  w.vec((g.validators ?? []) as Json[], (w, v) => {
    w.string(v.name as string);
    w.fixed(toBytes(v.public_key as string, 32, "validator key"), 32);
    w.u64(v.power as U64);
  });
  w.vec((g.accounts ?? []) as Json[], (w, a) => {
    w.string(a.name as string);
    w.fixed(toBytes(a.address as string, 32, "account address"), 32);
    w.vec((a.roles ?? []) as Json[], (w, r) => writeRole(w, r));
    w.bool((a.member ?? false) as boolean);
  });
  w.vec((g.assets ?? []) as Json[], (w, c) => writeAssetClass(w, { required_credential: null, ...c }));
  w.vec((g.campaigns ?? []) as Json[], (w, c) => {
    w.string(c.id as string);
    w.string(c.charge_asset as string);
    w.string(c.bonus_asset as string);
    w.u32(c.rate_bps as number);
    w.u64(c.budget_remaining as U64);
  });
  return w.finish();
}

/** The genesis hash (block 1's `prev_hash`): SHA-256 of `borsh(Genesis)`, no domain tag. */
export function genesisHash(g: Json): Uint8Array {
  return sha256(genesisBorsh(g));
}

// ---- validator sets ----------------------------------------------------

export interface Validator {
  public_key: Uint8Array;
  power: bigint;
}

export class ValidatorSet {
  readonly total: bigint;
  constructor(readonly validators: Validator[]) {
    this.total = validators.reduce((a, v) => a + v.power, 0n);
  }

  /** From `{public_key (hex or bytes), power}` records in the state's order (genesis, GetStatus, GetGovernance). */
  static from(list: readonly { public_key: string | Uint8Array; power: U64 }[]): ValidatorSet {
    return new ValidatorSet(list.map((v) => ({ public_key: toBytes(v.public_key, 32, "validator key"), power: BigInt(v.power) })));
  }

  /** `borsh(ValidatorSet { validators: Vec<{public_key, power}>, total_power })`. */
  borsh(): Uint8Array {
    return new Writer()
      .vec(this.validators, (w, v) => w.fixed(v.public_key, 32).u64(v.power))
      .u64(this.total)
      .finish();
  }

  /** `validators_hash` in a header: SHA-256 of the borsh, no domain tag. */
  hash(): Uint8Array {
    return sha256(this.borsh());
  }

  /** `floor(2 × total / 3)`; a quorum is strictly more. */
  quorumThreshold(): bigint {
    const t = this.total;
    return (t / 3n) * 2n + ((t % 3n) * 2n) / 3n;
  }
}

// ---- block headers -----------------------------------------------------

export interface BlockHeader {
  chain_id: string;
  height: U64;
  time_ms: U64;
  prev_hash: Uint8Array | string;
  tx_root: Uint8Array | string;
  receipts_root: Uint8Array | string;
  state_root: Uint8Array | string;
  proposer: Uint8Array | string;
  validators_hash: Uint8Array | string;
}

export const BLOCK_DOMAIN = "yui/block/v1";

export function headerBorsh(h: BlockHeader): Uint8Array {
  return new Writer()
    .string(h.chain_id)
    .u64(h.height)
    .u64(h.time_ms)
    .fixed(toBytes(h.prev_hash, 32, "prev_hash"), 32)
    .fixed(toBytes(h.tx_root, 32, "tx_root"), 32)
    .fixed(toBytes(h.receipts_root, 32, "receipts_root"), 32)
    .fixed(toBytes(h.state_root, 32, "state_root"), 32)
    .fixed(toBytes(h.proposer, 32, "proposer"), 32)
    .fixed(toBytes(h.validators_hash, 32, "validators_hash"), 32)
    .finish();
}

/** The bytes hashed for a block's identity: `str("yui/block/v1") ‖ borsh(header)`. */
export function headerHashedBytes(h: BlockHeader): Uint8Array {
  return new Writer().string(BLOCK_DOMAIN).raw(headerBorsh(h)).finish();
}

export function headerHash(h: BlockHeader): Uint8Array {
  return sha256(headerHashedBytes(h));
}

/** `tx_root`: leaves H(00 ‖ tx_hash), pairs H(01 ‖ l ‖ r), an odd last node carried up; none is H(""). */
export function txRoot(txHashes: readonly Uint8Array[]): Uint8Array {
  if (txHashes.length === 0) return sha256(new Uint8Array(0));
  let level = txHashes.map((h) => sha256(Uint8Array.of(0), toBytes(h, 32, "tx hash")));
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(sha256(Uint8Array.of(1), level[i]!, level[i + 1]!));
    if (level.length % 2 === 1) next.push(level[level.length - 1]!);
    level = next;
  }
  return level[0]!;
}

// ---- votes and certificates ---------------------------------------------

export const VOTE_DOMAIN = "yui/consensus/vote/v1";
export const PREVOTE = 0;
export const PRECOMMIT = 1;

/** `str(domain) ‖ str(chain_id) ‖ u8 kind ‖ u64 height ‖ u32 round ‖ Option<Hash32> block_hash`. */
export function voteSignBytes(chainId: string, kind: number, height: U64, round: number, blockHash: Uint8Array | null): Uint8Array {
  return new Writer()
    .string(VOTE_DOMAIN)
    .string(chainId)
    .u8(kind)
    .u64(height)
    .u32(round)
    .option(blockHash, (w, h) => w.fixed(h, 32))
    .finish();
}

export interface CommitSignature {
  validator: number;
  signature: Uint8Array;
}

export interface CommitCertificate {
  height: bigint;
  round: number;
  block_hash: Uint8Array;
  signatures: CommitSignature[];
}

export function certificateBorsh(c: CommitCertificate): Uint8Array {
  return new Writer()
    .u64(c.height)
    .u32(c.round)
    .fixed(c.block_hash, 32)
    .vec(c.signatures, (w, s) => w.u32(s.validator).fixed(s.signature, 64))
    .finish();
}

/** Strict decoding of `Block.raw_certificate`. */
export function decodeCertificate(raw: Uint8Array): CommitCertificate {
  return decodeCanonical(
    raw,
    (r: Reader) => ({
      height: r.u64(),
      round: r.u32(),
      block_hash: r.fixed(32),
      signatures: r.vec((r) => ({ validator: r.u32(), signature: r.fixed(64) })),
    }),
    certificateBorsh,
  );
}

export class CertificateError extends Error {}

/**
 * Checks a commit certificate for `header` against the validator set that
 * certifies it (`docs/encoding.md` §11, steps 1–5). Returns the signed power;
 * throws `CertificateError` on any failure.
 */
export function verifyCertificate(header: BlockHeader, cert: CommitCertificate, set: ValidatorSet): bigint {
  if (!equal(set.hash(), toBytes(header.validators_hash, 32))) {
    throw new CertificateError("the validator set's hash is not the header's validators_hash");
  }
  const blockHash = headerHash(header);
  if (cert.height !== BigInt(header.height)) throw new CertificateError(`certificate height ${cert.height} for header ${header.height}`);
  if (!equal(cert.block_hash, blockHash)) throw new CertificateError(`certificate for block ${hex(cert.block_hash)}, header hashes to ${hex(blockHash)}`);
  const msg = voteSignBytes(header.chain_id, PRECOMMIT, cert.height, cert.round, blockHash);
  let power = 0n;
  let last = -1;
  for (const s of cert.signatures) {
    if (s.validator <= last) throw new CertificateError(`validator indices not strictly increasing at ${s.validator}`);
    last = s.validator;
    const v = set.validators[s.validator];
    if (!v) throw new CertificateError(`validator index ${s.validator} outside a set of ${set.validators.length}`);
    if (!verifyStrict(v.public_key, msg, s.signature)) throw new CertificateError(`bad precommit signature of validator ${s.validator}`);
    power += v.power;
  }
  if (power <= set.quorumThreshold()) throw new CertificateError(`signed power ${power} of ${set.total} is not a quorum`);
  return power;
}

// ---- contract accounts -------------------------------------------------

/** A contract's account: `H(str("yui/contract-account/v1") ‖ str(id))`. */
export function contractAccount(contractId: string): Uint8Array {
  return sha256(new Writer().string("yui/contract-account/v1").string(contractId).finish());
}
