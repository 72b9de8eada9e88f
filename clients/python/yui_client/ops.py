"""Builders for the value operations, returning their JSON form (docs/encoding.md §4).

Every operation, including jobs, credentials, governance and contracts, can
also be written directly as a dict tagged by "op"; see `codec.OPERATIONS`.
"""

from __future__ import annotations

from typing import Iterable, Optional

from .codec import to_bytes32


def _addr(a) -> str:
    return to_bytes32(a).hex()


def charge(to, asset: str, amount: int, deposit_ref: str, campaign: Optional[str] = None) -> dict:
    return {"op": "charge", "to": _addr(to), "asset": asset, "amount": amount,
            "deposit_ref": deposit_ref, "campaign": campaign}


def grant(to, asset: str, amount: int, reason: str = "", event_id: Optional[str] = None) -> dict:
    return {"op": "grant", "to": _addr(to), "asset": asset, "amount": amount,
            "reason": reason, "event_id": event_id}


def transfer(to, asset: str, amount: int) -> dict:
    return {"op": "transfer", "to": _addr(to), "asset": asset, "amount": amount}


def pay(merchant, invoice_id: str, amount: int, assets: Iterable[str] = ()) -> dict:
    return {"op": "pay", "merchant": _addr(merchant), "invoice_id": invoice_id,
            "amount": amount, "assets": list(assets)}


def refund(invoice_id: str, amount: int) -> dict:
    return {"op": "refund", "invoice_id": invoice_id, "amount": amount}


def redeem(asset: str, amount: int, payout_ref: str) -> dict:
    return {"op": "redeem", "asset": asset, "amount": amount, "payout_ref": payout_ref}


def burn(asset: str, amount: int) -> dict:
    return {"op": "burn", "asset": asset, "amount": amount}
