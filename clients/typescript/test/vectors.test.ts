// Every vector of docs/vectors/ byte for byte, and the vote/certificate worked example of docs/encoding.md §11.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fromHex, hex, sha256 } from "../src/bytes.js";
import { Keypair, verifyStrict } from "../src/keys.js";
import { buildTx, decodeTx, encodeTx, signBytesOf, SignedTransaction, type Expiry } from "../src/tx.js";
import { encodeOperation, operationJson, OPERATIONS, GOV_ACTIONS, type Operation } from "../src/ops.js";
import { readSignBytes, readAuth } from "../src/auth.js";
import {
  certificateBorsh, contractAccount, decodeCertificate, genesisBorsh, genesisHash, headerBorsh, headerHash,
  headerHashedBytes, txRoot, ValidatorSet, verifyCertificate, voteSignBytes, CertificateError, PRECOMMIT, PREVOTE,
} from "../src/chain.js";
import { decodeAccount, decodeHolding, decodeProof, holdingBalance, siblingHash, verifyProof, ProofError } from "../src/state.js";
import { loadVectors } from "./util.js";

const txs = loadVectors<any[]>("transactions.json");
const reads = loadVectors<any[]>("read-auth.json");
const chain = loadVectors<any>("chain.json");
const SEED = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

test("the seed 00..1f has the documented address", () => {
  assert.equal(new Keypair(SEED).addressHex, "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8");
});

test("the vectors cover every operation and governance action", () => {
  const names = new Set(txs.map((v) => v.name));
  for (const o of OPERATIONS) if (o.name !== "propose") assert.ok(names.has(o.name), o.name);
  for (const a of GOV_ACTIONS) assert.ok(names.has(`propose/${a.name}`), a.name);
});

for (const v of txs) {
  test(`transaction vector ${v.name}`, () => {
    const i = v.inputs;
    const key = new Keypair(i.signer_seed_hex);
    assert.equal(key.addressHex, i.signer_public_key_hex);
    const expiry: Expiry = { kind: i.expiry.kind, value: i.expiry.value };
    const signed = buildTx(key, i.chain_id, i.nonce, expiry, i.operation as Operation);
    assert.equal(hex(signed.txBytes), v.tx_borsh_hex, "tx bytes");
    assert.equal(hex(signed.signBytes), v.sign_bytes_hex, "signing bytes");
    assert.equal(hex(signed.signature), v.signature_hex, "signature");
    assert.equal(hex(signed.bytes), v.signed_tx_borsh_hex, "signed bytes");
    assert.equal(signed.hashHex, v.tx_hash_hex, "hash");
    assert.ok(signed.verify());
    // Decoding gives back the same bytes, and the parsed signed form is the same.
    const again = SignedTransaction.fromBytes(fromHex(v.signed_tx_borsh_hex));
    assert.equal(hex(encodeTx(again.tx)), v.tx_borsh_hex);
    assert.equal(hex(encodeOperation(decodeTx(signed.txBytes).op)), hex(encodeOperation(i.operation)));
  });
}

test("the transfer worked example of §3", () => {
  const v = txs.find((t) => t.name === "transfer");
  assert.equal(v.tx_hash_hex, "3a84dfdf6fd94102d1dd9ef9ba44dd615995fd3fb8aabe7455d4ae65eb4a5f0e");
  assert.ok(v.tx_borsh_hex.startsWith("0b0000007975692d766563746f727303a107bf"));
  assert.equal(hex(signBytesOf(new Uint8Array())), "090000007975692f74782f7631");
});

test("strict decoding refuses trailing bytes, bad tags and bad bools", () => {
  const v = txs.find((t) => t.name === "vote");
  const b = fromHex(v.tx_borsh_hex);
  assert.throws(() => decodeTx(new Uint8Array([...b, 0])));
  const badBool = Uint8Array.from(b);
  badBool[badBool.length - 1] = 2;
  assert.throws(() => decodeTx(badBool));
  const badOp = fromHex(txs[0].tx_borsh_hex);
  badOp[11 + 4 + 32 + 8 + 9] = 200; // the operation's index byte
  assert.throws(() => decodeTx(badOp));
});

test("a tampered signature does not verify strictly", () => {
  const v = txs[0];
  const s = SignedTransaction.fromBytes(fromHex(v.signed_tx_borsh_hex));
  const sig = Uint8Array.from(s.signature);
  sig[0]! ^= 1;
  assert.equal(new SignedTransaction(s.txBytes, sig).verify(), false);
  // S ≥ ℓ is refused: add ℓ to S (little-endian) and the equation alone would still hold.
  const L = (1n << 252n) + 27742317777372353535851937790883648493n;
  let S = 0n;
  for (let i = 63; i >= 32; i--) S = (S << 8n) | BigInt(s.signature[i]!);
  S += L;
  const big = Uint8Array.from(s.signature);
  for (let i = 32; i < 64; i++) {
    big[i] = Number(S & 0xffn);
    S >>= 8n;
  }
  assert.equal(verifyStrict(fromHex(v.inputs.signer_public_key_hex), s.signBytes, big), false);
});

for (const v of reads) {
  test(`read authorisation vector: ${v.name}`, () => {
    const i = v.inputs;
    const key = new Keypair(i.reader_seed_hex);
    assert.equal(key.addressHex, i.reader_public_key_hex);
    const bytes = readSignBytes(i.chain_id, key.address, i.subject_hex, i.time_ms);
    assert.equal(hex(bytes), v.sign_bytes_hex);
    const auth = readAuth(key, i.chain_id, i.subject_hex, i.time_ms);
    assert.equal(hex(auth.signature), v.signature_hex);
    assert.equal(auth.time_ms, String(i.time_ms));
    assert.ok(verifyStrict(key.address, bytes, auth.signature));
  });
}

test("genesis borsh and hash", () => {
  assert.equal(hex(genesisBorsh(chain.genesis.json)), chain.genesis.borsh_hex);
  assert.equal(hex(genesisHash(chain.genesis.json)), chain.genesis.hash_hex);
});

test("tx root of the first three transactions, and of none", () => {
  const hashes = chain.tx_root.tx_hashes_hex.map(fromHex);
  assert.deepEqual(chain.tx_root.tx_hashes_hex, txs.slice(0, 3).map((t) => t.tx_hash_hex));
  assert.equal(hex(txRoot(hashes)), chain.tx_root.tx_root_hex);
  assert.equal(hex(txRoot([])), chain.tx_root.empty_tx_root_hex);
  assert.equal(hex(txRoot([hashes[0]])), hex(sha256(Uint8Array.of(0), hashes[0])));
});

test("block header borsh, hashed bytes and hash", () => {
  const f = chain.block_header.fields;
  const h = {
    chain_id: f.chain_id, height: f.height, time_ms: f.time_ms, prev_hash: f.prev_hash_hex, tx_root: f.tx_root_hex,
    receipts_root: f.receipts_root_hex, state_root: f.state_root_hex, proposer: f.proposer_hex, validators_hash: f.validators_hash_hex,
  };
  assert.equal(hex(headerBorsh(h)), chain.block_header.header_borsh_hex);
  assert.equal(hex(headerHashedBytes(h)), chain.block_header.hashed_bytes_hex);
  assert.equal(hex(headerHash(h)), chain.block_header.hash_hex);
  assert.equal(f.prev_hash_hex, chain.genesis.hash_hex);
});

test("contract account", () => {
  assert.equal(hex(contractAccount(chain.contract_account.contract_id)), chain.contract_account.address_hex);
});

test("state records decode", () => {
  const [acct, holding] = chain.state.records;
  const a = decodeAccount(fromHex(acct.value_hex));
  assert.equal(a.name, "sakura-bakery");
  assert.equal(a.nonce, 0n);
  assert.deepEqual(a.roles, [{ role: "merchant", of: "small_local" }]);
  const h = decodeHolding(fromHex(holding.value_hex));
  assert.equal(h.lots.length, 2);
  assert.notEqual(h.lots[0]!.expires_at, null);
  assert.equal(h.lots[1]!.expires_at, null);
  assert.equal(holdingBalance(h), h.lots[0]!.amount + h.lots[1]!.amount);
});

for (const p of chain.state.proofs) {
  test(`state proof: ${p.name}`, () => {
    const root = fromHex(chain.state.state_root_hex);
    assert.equal(p.state_root_hex, chain.state.state_root_hex);
    const key = fromHex(p.key_hex);
    assert.equal(hex(sha256(key)), p.key_hash_hex);
    const proof = decodeProof(fromHex(p.proof_borsh_hex));
    assert.deepEqual(proof.siblings.map((s) => ({ kind: s.kind, hash_hex: hex(siblingHash(s)) })), p.proof_sibling_hashes_bottom_first);
    if (p.proof_leaf) {
      assert.equal(hex(proof.leaf!.key_hash), p.proof_leaf.key_hash_hex);
      assert.equal(hex(proof.leaf!.value_hash), p.proof_leaf.value_hash_hex);
    } else assert.equal(proof.leaf, null);
    const value = p.present ? fromHex(p.value_hex) : null;
    if (value) assert.equal(hex(sha256(value)), p.value_hash_hex);
    verifyProof(root, key, value, proof);
    // The opposite claim, another value, or another root fail.
    if (value) {
      assert.throws(() => verifyProof(root, key, null, proof), ProofError);
      assert.throws(() => verifyProof(root, key, Uint8Array.of(...value, 0), proof), ProofError);
    } else {
      assert.throws(() => verifyProof(root, key, Uint8Array.of(0), proof), ProofError);
    }
    const other = Uint8Array.from(root);
    other[0]! ^= 1;
    assert.throws(() => verifyProof(other, key, value, proof), ProofError);
  });
}

test("vote and certificate worked example of §11", () => {
  const key = new Keypair(SEED);
  const block = new Uint8Array(32).fill(0xab);
  const vote = voteSignBytes("yui-vectors", PRECOMMIT, 7, 0, block);
  assert.equal(
    hex(vote),
    "150000007975692f636f6e73656e7375732f766f74652f76310b0000007975692d766563746f72730107000000000000000000000001" + "ab".repeat(32),
  );
  const sig = key.sign(vote);
  assert.equal(
    hex(sig),
    "18eec93aab40ca36c5b4509f35f8f33c8f110f97e64bf7f66e4ed85abd06287108fc8ab2ff96b28b6d119ded4c9f93b6720c9bb4887c290030f6071decd69a06",
  );
  assert.equal(
    hex(voteSignBytes("yui-vectors", PREVOTE, 7, 1, null)),
    "150000007975692f636f6e73656e7375732f766f74652f76310b0000007975692d766563746f7273000700000000000000010000" + "0000",
  );
  const set = ValidatorSet.from([{ public_key: key.address, power: 1 }]);
  assert.equal(hex(set.borsh()), "01000000" + key.addressHex + "0100000000000000" + "0100000000000000");
  assert.equal(hex(set.hash()), "ceb1ef38da99b8a2256be2e00efb4396a1cc66cc523b24798dbc1ed6dd4d72b5");
  const cert = { height: 7n, round: 0, block_hash: block, signatures: [{ validator: 0, signature: sig }] };
  const raw = certificateBorsh(cert);
  assert.equal(hex(raw), "0700000000000000" + "00000000" + "ab".repeat(32) + "01000000" + "00000000" + hex(sig));
  assert.deepEqual(decodeCertificate(raw), cert);
});

test("certificate verification: quorum, order, index, signature, header binding", () => {
  const keys = [1, 2, 3, 4].map((n) => new Keypair(new Uint8Array(32).fill(n)));
  const set = ValidatorSet.from(keys.map((k) => ({ public_key: k.address, power: 1 })));
  assert.equal(set.quorumThreshold(), 2n);
  const header = {
    chain_id: "yui-vectors", height: 7, time_ms: 1767225601000, prev_hash: new Uint8Array(32), tx_root: sha256(new Uint8Array(0)),
    receipts_root: new Uint8Array(32), state_root: new Uint8Array(32), proposer: keys[0]!.address, validators_hash: set.hash(),
  };
  const bh = headerHash(header);
  const msg = voteSignBytes(header.chain_id, PRECOMMIT, 7, 2, bh);
  const sigs = keys.map((k, i) => ({ validator: i, signature: k.sign(msg) }));
  const cert = (s: typeof sigs) => ({ height: 7n, round: 2, block_hash: bh, signatures: s });
  assert.equal(verifyCertificate(header, cert(sigs.slice(0, 3)), set), 3n);
  assert.throws(() => verifyCertificate(header, cert(sigs.slice(0, 2)), set), CertificateError); // 2 of 4 is not > 2
  assert.throws(() => verifyCertificate(header, cert([sigs[1]!, sigs[0]!, sigs[2]!]), set), CertificateError);
  assert.throws(() => verifyCertificate(header, cert([sigs[0]!, sigs[0]!, sigs[1]!, sigs[2]!]), set), CertificateError);
  assert.throws(() => verifyCertificate(header, cert([...sigs.slice(0, 3), { validator: 4, signature: sigs[3]!.signature }]), set), CertificateError);
  assert.throws(() => verifyCertificate(header, cert([sigs[0]!, sigs[1]!, { validator: 2, signature: sigs[3]!.signature }]), set), CertificateError);
  assert.throws(() => verifyCertificate({ ...header, time_ms: 1767225601001 }, cert(sigs), set), CertificateError);
  assert.throws(() => verifyCertificate(header, { ...cert(sigs), round: 1 }, set), CertificateError);
});

test("operationJson writes bytes as hex and u64 as plain numbers", () => {
  const op = { op: "transfer", to: new Uint8Array(32).fill(1), asset: "coin", amount: 18446744073709551615n };
  assert.equal(operationJson(op), `{"op":"transfer","to":"${"01".repeat(32)}","asset":"coin","amount":18446744073709551615}`);
});
