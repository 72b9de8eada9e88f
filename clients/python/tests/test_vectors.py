"""Every vector in docs/vectors reproduced byte for byte from its inputs."""

import hashlib

import pytest

from conftest import load_vectors
from yui_client import Expiry, Keypair, Transaction, encode_operation, read_sign_bytes, verify
from yui_client.chain import (BlockHeader, CommitCertificate, ValidatorSet, genesis_bytes,
                              genesis_hash, tx_root, verify_certificate, vote_sign_bytes,
                              PRECOMMIT, PREVOTE)
from yui_client.state import (Account, Holding, SparseMerkleProof, contract_account, verify_proof,
                              ProofError)

TXS = load_vectors("transactions.json")
READS = load_vectors("read-auth.json")
CHAIN = load_vectors("chain.json")


def test_every_operation_and_action_has_a_vector():
    from yui_client.codec import GOV_ACTIONS, OPERATIONS
    names = {v["name"] for v in TXS}
    assert {n for n in OPERATIONS if n != "propose"} <= names
    assert {f"propose/{a}" for a in GOV_ACTIONS} <= names


@pytest.mark.parametrize("v", TXS, ids=[v["name"] for v in TXS])
def test_transaction_vector(v):
    inp = v["inputs"]
    key = Keypair.from_seed(bytes.fromhex(inp["signer_seed_hex"]))
    assert key.address.hex() == inp["signer_public_key_hex"]
    tx = Transaction(inp["chain_id"], key.address, inp["nonce"],
                     Expiry(inp["expiry"]["kind"], inp["expiry"]["value"]), inp["operation"])
    assert tx.to_bytes().hex() == v["tx_borsh_hex"]
    assert tx.sign_bytes().hex() == v["sign_bytes_hex"]
    stx = tx.sign(key)
    assert stx.signature.hex() == v["signature_hex"]
    assert stx.to_bytes().hex() == v["signed_tx_borsh_hex"]
    assert stx.hash().hex() == v["tx_hash_hex"]
    assert verify(key.address, tx.sign_bytes(), stx.signature)
    # The operation's bytes are the tail of the transaction's.
    assert v["tx_borsh_hex"].endswith(encode_operation(inp["operation"]).hex())


@pytest.mark.parametrize("v", READS, ids=[v["name"] for v in READS])
def test_read_auth_vector(v):
    inp = v["inputs"]
    key = Keypair.from_seed(bytes.fromhex(inp["reader_seed_hex"]))
    assert key.address.hex() == inp["reader_public_key_hex"]
    msg = read_sign_bytes(inp["chain_id"], key.address, bytes.fromhex(inp["subject_hex"]),
                          inp["time_ms"])
    assert msg.hex() == v["sign_bytes_hex"]
    assert key.sign(msg).hex() == v["signature_hex"]


def test_worked_address():
    assert Keypair.from_seed(bytes(range(32))).address.hex() == (
        "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8")


def test_genesis_vector():
    g = CHAIN["genesis"]
    assert genesis_bytes(g["json"]).hex() == g["borsh_hex"]
    assert genesis_hash(g["json"]).hex() == g["hash_hex"]


def test_genesis_defaults():
    # Omitted roles/member/campaigns/required_credential take their defaults.
    import copy
    doc = copy.deepcopy(CHAIN["genesis"]["json"])
    hana = next(a for a in doc["accounts"] if a["name"] == "hana")
    del hana["roles"], hana["member"]
    del doc["assets"][0]["required_credential"]
    full = copy.deepcopy(CHAIN["genesis"]["json"])
    assert genesis_bytes(doc) == genesis_bytes(full)


def test_tx_root_vector():
    t = CHAIN["tx_root"]
    hashes = [bytes.fromhex(h) for h in t["tx_hashes_hex"]]
    assert tx_root(hashes).hex() == t["tx_root_hex"]
    assert tx_root([]).hex() == t["empty_tx_root_hex"]
    # One transaction gives its leaf.
    assert tx_root(hashes[:1]) == hashlib.sha256(b"\x00" + hashes[0]).digest()
    # The tx vectors' hashes are the ones listed.
    assert [v["tx_hash_hex"] for v in TXS[:3]] == t["tx_hashes_hex"]


def test_block_header_vector():
    b = CHAIN["block_header"]
    f = b["fields"]
    h = BlockHeader(f["chain_id"], f["height"], f["time_ms"], bytes.fromhex(f["prev_hash_hex"]),
                    bytes.fromhex(f["tx_root_hex"]), bytes.fromhex(f["receipts_root_hex"]),
                    bytes.fromhex(f["state_root_hex"]), bytes.fromhex(f["proposer_hex"]),
                    bytes.fromhex(f["validators_hash_hex"]))
    assert h.to_bytes().hex() == b["header_borsh_hex"]
    assert h.hashed_bytes().hex() == b["hashed_bytes_hex"]
    assert h.hash().hex() == b["hash_hex"]
    # Block 1's parent is the genesis.
    assert f["prev_hash_hex"] == CHAIN["genesis"]["hash_hex"]


def test_contract_account_vector():
    c = CHAIN["contract_account"]
    assert contract_account(c["contract_id"]).hex() == c["address_hex"]


def test_state_records():
    recs = {r["what"]: r for r in CHAIN["state"]["records"]}
    acct = Account.from_bytes(bytes.fromhex(recs["account of sakura-bakery"]["value_hex"]))
    assert acct.name == "sakura-bakery" and acct.nonce == 0
    assert acct.roles == [{"role": "merchant", "of": "small_local"}]
    from yui_client.state import account_key, holding_key
    bakery = next(a for a in CHAIN["genesis"]["json"]["accounts"] if a["name"] == "sakura-bakery")
    hana = next(a for a in CHAIN["genesis"]["json"]["accounts"] if a["name"] == "hana")
    assert account_key(bakery["address"]).hex() == recs["account of sakura-bakery"]["key_hex"]
    assert holding_key(hana["address"], "point").hex() == recs["holding of hana in point"]["key_hex"]
    hold = Holding.from_bytes(bytes.fromhex(recs["holding of hana in point"]["value_hex"]))
    assert len(hold.lots) == 2
    assert hold.lots[0].expires_at is not None and hold.lots[1].expires_at is None
    assert hold.balance == 300 + 50


@pytest.mark.parametrize("p", CHAIN["state"]["proofs"], ids=lambda p: p["name"])
def test_proof_vector(p):
    root = bytes.fromhex(p["state_root_hex"])
    key = bytes.fromhex(p["key_hex"])
    assert hashlib.sha256(key).hexdigest() == p["key_hash_hex"]
    proof = bytes.fromhex(p["proof_borsh_hex"])
    parsed = SparseMerkleProof.from_bytes(proof)
    assert parsed.leaf[0].hex() == p["proof_leaf"]["key_hash_hex"]
    assert parsed.leaf[1].hex() == p["proof_leaf"]["value_hash_hex"]
    assert [(s[0], SparseMerkleProof.sibling_hash(s).hex()) for s in parsed.siblings] == [
        (s["kind"], s["hash_hex"]) for s in p["proof_sibling_hashes_bottom_first"]]
    value = bytes.fromhex(p["value_hex"]) if p["present"] else None
    if value is not None:
        assert hashlib.sha256(value).hexdigest() == p["value_hash_hex"]
    verify_proof(root, key, value, proof)
    # A wrong value, a wrong claim of presence or another root is refused.
    with pytest.raises(ProofError):
        verify_proof(root, key, (value or b"") + b"x", proof)
    with pytest.raises(ProofError):
        verify_proof(bytes(32), key, value, proof)
    if value is not None:
        with pytest.raises(ProofError):
            verify_proof(root, key, None, proof)


# The worked example of §11, not in the vectors files.
BH = bytes([0xAB]) * 32


def test_vote_worked_example():
    key = Keypair.from_seed(bytes(range(32)))
    msg = vote_sign_bytes("yui-vectors", PRECOMMIT, 7, 0, BH)
    assert msg.hex() == (
        "150000007975692f636f6e73656e7375732f766f74652f7631"
        "0b0000007975692d766563746f7273" "01" "0700000000000000" "00000000" "01" + "ab" * 32)
    sig = key.sign(msg)
    assert sig.hex() == (
        "18eec93aab40ca36c5b4509f35f8f33c8f110f97e64bf7f66e4ed85abd062871"
        "08fc8ab2ff96b28b6d119ded4c9f93b6720c9bb4887c290030f6071decd69a06")
    nil = vote_sign_bytes("yui-vectors", PREVOTE, 7, 1, None)
    assert nil.hex() == ("150000007975692f636f6e73656e7375732f766f74652f7631"
                         "0b0000007975692d766563746f7273" "00" "0700000000000000" "01000000" "00")
    vset = ValidatorSet.of([{"public_key": key.address, "power": 1}])
    assert vset.to_bytes().hex() == "01000000" + key.address.hex() + "0100000000000000" * 2
    assert vset.hash().hex() == "ceb1ef38da99b8a2256be2e00efb4396a1cc66cc523b24798dbc1ed6dd4d72b5"
    cert = CommitCertificate(7, 0, BH, ((0, sig),))
    assert cert.to_bytes().hex() == ("0700000000000000" "00000000" + "ab" * 32 + "01000000"
                                     "00000000" + sig.hex())
    assert CommitCertificate.from_bytes(cert.to_bytes()) == cert


def test_certificate_verification_rules():
    keys = [Keypair.from_seed(bytes([i]) * 32) for i in range(1, 5)]
    vset = ValidatorSet.of([{"public_key": k.address, "power": 1} for k in keys])
    assert vset.quorum_threshold() == 2
    header = BlockHeader("yui-test", 5, 1000, bytes(32), bytes(32), bytes(32), bytes(32),
                         keys[0].address, vset.hash())
    msg = vote_sign_bytes("yui-test", PRECOMMIT, 5, 2, header.hash())
    sigs = [(i, k.sign(msg)) for i, k in enumerate(keys)]
    from yui_client.chain import CertificateError
    assert verify_certificate(CommitCertificate(5, 2, header.hash(), tuple(sigs[:3])), header, vset) == 3
    for bad in (tuple(sigs[:2]),                               # 2 of 4 is no quorum
                (sigs[0], sigs[0], sigs[1]),                   # a repeated index
                (sigs[1], sigs[0], sigs[2]),                   # not increasing
                (sigs[0], sigs[1], (2, sigs[3][1])),           # wrong key's signature
                (sigs[0], sigs[1], sigs[2], (4, sigs[3][1]))):  # outside the set
        with pytest.raises(CertificateError):
            verify_certificate(CommitCertificate(5, 2, header.hash(), bad), header, vset)
    with pytest.raises(CertificateError):  # signed for round 2, claimed round 1
        verify_certificate(CommitCertificate(5, 1, header.hash(), tuple(sigs)), header, vset)
