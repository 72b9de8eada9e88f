"""Yui's reference wallet client: transactions, read authorisations, gRPC and a light client."""

from . import ops
from .auth import read_sign_bytes, sign_read
from .codec import encode_operation
from .keys import Keypair, load_key_file, verify
from .tx import Expiry, SignedTransaction, Transaction, build

__all__ = [
    "Expiry", "Keypair", "SignedTransaction", "Transaction", "build", "encode_operation",
    "load_key_file", "ops", "read_sign_bytes", "sign_read", "verify",
]
