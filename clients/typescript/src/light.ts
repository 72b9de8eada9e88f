// A light client: trusts only a genesis hash; checks blocks by their commit
// certificates and balances by state proofs against certified state roots.
import { equal, hex, toBytes } from "./bytes.js";
import { CertificateError, decodeCertificate, genesisHash, headerHash, ValidatorSet, verifyCertificate, type BlockHeader, type CommitCertificate } from "./chain.js";
import type { Client, Msg } from "./client.js";
import type { Keypair } from "./keys.js";
import { decodeHolding, holdingBalance, holdingKey, verifyProof, type Holding } from "./state.js";

export class LightClientError extends Error {}

export interface VerifiedBlock {
  header: BlockHeader;
  hash: Uint8Array;
  certificate: CommitCertificate;
  signedPower: bigint;
}

/** The header fields of a `yui.v1.BlockHeader` message. */
export function headerFromMessage(m: Msg): BlockHeader {
  return {
    chain_id: m.chain_id, height: BigInt(m.height), time_ms: BigInt(m.time_ms), prev_hash: m.prev_hash, tx_root: m.tx_root,
    receipts_root: m.receipts_root, state_root: m.state_root, proposer: m.proposer, validators_hash: m.validators_hash,
  };
}

export class LightClient {
  private sets = new Map<string, ValidatorSet>();
  genesis?: Msg;

  constructor(readonly client: Client, readonly trustedGenesisHash: Uint8Array) {}

  /** Fetches the genesis document and checks it against the trusted hash; its validators certify height 1. */
  async init(): Promise<void> {
    const g = await this.client.genesis();
    const h = genesisHash(g.json);
    if (!equal(h, this.trustedGenesisHash)) throw new LightClientError(`genesis from the node hashes to ${hex(h)}, not the trusted hash`);
    this.genesis = g.json;
    this.addSet(ValidatorSet.from(g.json.validators));
  }

  private addSet(s: ValidatorSet): void {
    this.sets.set(hex(s.hash()), s);
  }

  /**
   * The set whose hash is the header's `validators_hash`: one already known
   * (genesis, or seen before), else the node's current set (GetGovernance),
   * accepted only when it hashes to the header's value. The API has no proof
   * for the validator set record, so a set change is followed this way.
   */
  private async setFor(header: BlockHeader): Promise<ValidatorSet> {
    const want = hex(toBytes(header.validators_hash, 32));
    let s = this.sets.get(want);
    if (!s) {
      const gov = await this.client.governance();
      const current = ValidatorSet.from(gov.validators);
      if (hex(current.hash()) === want) this.addSet((s = current));
    }
    if (!s) throw new LightClientError(`no known validator set with hash ${want}`);
    return s;
  }

  /** Checks a `yui.v1.Block` message: header hash, certificate (raw and decoded agree), quorum. */
  async verifyBlockMessage(b: Msg): Promise<VerifiedBlock> {
    if (!this.genesis) await this.init();
    const header = headerFromMessage(b.header);
    const hash = headerHash(header);
    if (!equal(hash, b.header.hash)) throw new LightClientError(`header hashes to ${hex(hash)}, the node says ${hex(b.header.hash)}`);
    if (header.chain_id !== this.genesis!.chain_id) throw new LightClientError(`block of chain ${header.chain_id}`);
    const cert = decodeCertificate(b.raw_certificate);
    const c = b.certificate;
    if (c && (BigInt(c.height) !== cert.height || c.round !== cert.round || !equal(c.block_hash, cert.block_hash) ||
        c.signatures.length !== cert.signatures.length)) {
      throw new LightClientError("the certificate message and raw_certificate disagree");
    }
    try {
      const signedPower = verifyCertificate(header, cert, await this.setFor(header));
      return { header, hash, certificate: cert, signedPower };
    } catch (e) {
      if (e instanceof CertificateError) throw new LightClientError(`block ${header.height}: ${e.message}`);
      throw e;
    }
  }

  async verifiedBlock(height: bigint | number): Promise<VerifiedBlock> {
    const b = await this.client.block({ height });
    if (BigInt(b.header.height) !== BigInt(height)) throw new LightClientError(`asked for height ${height}, got ${b.header.height}`);
    return this.verifyBlockMessage(b);
  }

  /**
   * The holder's balance of `asset`, proved: `GetProof` for the holding
   * record, the block at the proof's height checked by its certificate, and
   * the proof checked against that block's state root.
   */
  async verifiedBalance(holder: Keypair, asset: string): Promise<{ balance: bigint; holding: Holding | null; block: VerifiedBlock }> {
    const p = await this.client.proof({ kind: "holding", address: holder.address, id: asset, auth: this.client.auth(holder) });
    const key = holdingKey(holder.address, asset);
    if (!equal(p.key, key)) throw new LightClientError(`proof for key ${hex(p.key)}, expected ${hex(key)}`);
    const block = await this.verifiedBlock(BigInt(p.height));
    const root = toBytes(block.header.state_root, 32);
    if (!equal(root, p.state_root)) throw new LightClientError("the proof's state root is not the certified block's");
    const value = p.present ? Uint8Array.from(p.value) : null;
    verifyProof(root, key, value, Uint8Array.from(p.proof));
    const holding = value ? decodeHolding(value) : null;
    return { balance: holding ? holdingBalance(holding) : 0n, holding, block };
  }
}
