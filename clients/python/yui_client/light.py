"""A light client: trusts a genesis hash, not the node (docs/encoding.md §10, §11, §13).

It checks a block's commit certificate against the validator set it knows,
then a state record against that certified block's state root.
"""

from __future__ import annotations

from dataclasses import dataclass

from .chain import (BlockHeader, CertificateError, CommitCertificate, ValidatorSet, genesis_hash,
                    verify_certificate)
from .client import Client
from .keys import Keypair
from .state import Account, Holding, account_key, holding_key, verify_proof


class LightClientError(ValueError):
    pass


@dataclass(frozen=True)
class VerifiedBalance:
    asset: str
    balance: int
    holding: Holding | None
    height: int
    state_root: bytes
    block_hash: bytes


class LightClient:
    """Verifies what a node says against a trusted genesis.

    `trusted_genesis_hash` comes from a source the wallet trusts (the
    consortium's published genesis); the genesis JSON may come from the node,
    since its hash is checked. The validator set of every height is taken to
    be genesis's until a header names another set: the API offers no proof of
    the `V` record, so a set change cannot be followed without trusting
    someone (`trust_validator_set` lets the caller supply a set it trusts).
    """

    def __init__(self, client: Client, trusted_genesis_hash: bytes, genesis_doc: dict | None = None):
        self.client = client
        if genesis_doc is None:
            genesis_doc, _ = client.genesis()
        if genesis_hash(genesis_doc) != bytes(trusted_genesis_hash):
            raise LightClientError("the genesis document does not hash to the trusted genesis hash")
        self.genesis_hash = bytes(trusted_genesis_hash)
        self.chain_id = genesis_doc["chain_id"]
        self.sets = {}
        self.trust_validator_set(ValidatorSet.of(genesis_doc["validators"]))

    def trust_validator_set(self, vset: ValidatorSet) -> None:
        self.sets[vset.hash()] = vset

    def verify_block(self, block) -> BlockHeader:
        """Checks a `yui.v1.Block`'s certificate; returns its header, now trusted."""
        header = BlockHeader.from_proto(block.header)
        if header.chain_id != self.chain_id:
            raise LightClientError(f"block of chain {header.chain_id!r}")
        if bytes(block.header.hash) != header.hash():
            raise LightClientError("the header's hash field is not the hash of its fields")
        cert = CommitCertificate.from_bytes(bytes(block.raw_certificate))
        if cert != CommitCertificate.from_proto(block.certificate):
            raise LightClientError("raw_certificate and certificate disagree")
        vset = self.sets.get(header.validators_hash)
        if vset is None:
            raise LightClientError(
                f"height {header.height} is certified by a validator set this client does not know")
        if header.height == 1 and header.prev_hash != self.genesis_hash:
            raise LightClientError("block 1 does not follow the trusted genesis")
        try:
            verify_certificate(cert, header, vset)
        except CertificateError as e:
            raise LightClientError(f"height {header.height}: {e}") from None
        return header

    def certified_header(self, height: int) -> BlockHeader:
        return self.verify_block(self.client.block(height=height))

    def _proved(self, kind: str, key: bytes, **req):
        r = self.client.proof(kind, **req)
        if bytes(r.key) != key:
            raise LightClientError("the node proved another key")
        header = self.certified_header(r.height)
        if header.state_root != bytes(r.state_root):
            raise LightClientError("the proof's state root is not the certified block's")
        value = bytes(r.value) if r.present else None
        verify_proof(header.state_root, key, value, bytes(r.proof))
        return header, value

    def verified_balance(self, key: Keypair, asset: str) -> VerifiedBalance:
        """The key's balance of `asset`, proved against a certified state root."""
        k = holding_key(key.address, asset)
        auth = self.client.read_auth(key)
        header, value = self._proved("holding", k, address=key.address, id=asset, auth=auth)
        holding = Holding.from_bytes(value) if value is not None else None
        return VerifiedBalance(asset, holding.balance if holding else 0, holding, header.height,
                               header.state_root, header.hash())

    def verified_account(self, key: Keypair) -> tuple[Account | None, BlockHeader]:
        k = account_key(key.address)
        auth = self.client.read_auth(key)
        header, value = self._proved("account", k, address=key.address, auth=auth)
        return (Account.from_bytes(value) if value is not None else None), header
