"""Operations, governance actions and nested types (docs/encoding.md §4–§5).

An operation is handled in its JSON form, the dict `yui submit` reads and the
API's `operation_json` shows: `{"op": "pay", "merchant": "<hex>", ...}`.
Addresses and hashes may be given as 64 hex characters or as 32 raw bytes;
byte vectors (`chunk`, `args`, ...) as hex or raw bytes. The tables below are
the spec's tables: variant index, JSON name, fields in order with their types.
"""

from __future__ import annotations

from typing import Any

from .borsh import Writer

# Field types: "address" / "hash32" ([u8; 32]), "string", "u8", "u32", "u64",
# "bool", "bytes" (Vec<u8>), ("option", T), ("vec", T), ("tuple", T, ...), and
# the named enums and structs below.

ADDRESS = "address"
HASH32 = "hash32"

# Operation: JSON name -> (index, [(field, type)]), in declaration order.
OPERATIONS: dict[str, tuple[int, list[tuple[str, Any]]]] = {
    "charge": (0, [("to", ADDRESS), ("asset", "string"), ("amount", "u64"),
                   ("deposit_ref", "string"), ("campaign", ("option", "string"))]),
    "grant": (1, [("to", ADDRESS), ("asset", "string"), ("amount", "u64"),
                  ("reason", "string"), ("event_id", ("option", "string"))]),
    "transfer": (2, [("to", ADDRESS), ("asset", "string"), ("amount", "u64")]),
    "pay": (3, [("merchant", ADDRESS), ("invoice_id", "string"), ("amount", "u64"),
                ("assets", ("vec", "string"))]),
    "refund": (4, [("invoice_id", "string"), ("amount", "u64")]),
    "redeem": (5, [("asset", "string"), ("amount", "u64"), ("payout_ref", "string")]),
    "burn": (6, [("asset", "string"), ("amount", "u64")]),
    "post_job": (7, [("job_id", "string"), ("asset", "string"), ("reward", "u64"),
                     ("coordinator", ADDRESS), ("accept_deadline_ms", "u64"),
                     ("required_credential", ("option", "string")),
                     ("description_hash", HASH32)]),
    "accept_job": (8, [("job_id", "string")]),
    "submit_job": (9, [("job_id", "string"), ("proof_hash", HASH32)]),
    "approve_job": (10, [("job_id", "string"), ("rating", ("option", "u8"))]),
    "cancel_job": (11, [("job_id", "string")]),
    "consent_cancel": (12, [("job_id", "string")]),
    "dispute_job": (13, [("job_id", "string"), ("reason_hash", HASH32)]),
    "resolve_job": (14, [("job_id", "string"), ("to_worker", "u64")]),
    "issue_credential": (15, [("credential_id", "string"), ("subject", ADDRESS),
                              ("kind", "string"), ("valid_from_ms", "u64"),
                              ("valid_until_ms", "u64"), ("claims_digest", HASH32)]),
    "suspend_credential": (16, [("credential_id", "string"), ("reason", "string")]),
    "reinstate_credential": (17, [("credential_id", "string")]),
    "revoke_credential": (18, [("credential_id", "string"), ("reason", "string")]),
    "grant_consent": (19, [("party", ADDRESS), ("scope", "string"),
                           ("expires_at_ms", ("option", "u64"))]),
    "revoke_consent": (20, [("party", ADDRESS), ("scope", "string")]),
    "record_access": (21, [("subject", ADDRESS), ("scope", "string"), ("purpose", "string")]),
    "propose": (22, [("proposal_id", "string"), ("action", "gov_action"),
                     ("expires_at_ms", "u64")]),
    "vote": (23, [("proposal_id", "string"), ("approve", "bool")]),
    "upload_code": (24, [("code_hash", HASH32), ("total_len", "u32"), ("index", "u32"),
                         ("chunk", "bytes")]),
    "call_contract": (25, [("contract_id", "string"), ("method", "string"), ("args", "bytes"),
                           ("fuel_limit", "u64"),
                           ("attach", ("vec", ("tuple", "string", "u64")))]),
}

# GovAction: JSON `action` -> (index, fields).
GOV_ACTIONS: dict[str, tuple[int, list[tuple[str, Any]]]] = {
    "add_validator": (0, [("name", "string"), ("public_key", ADDRESS), ("power", "u64"),
                          ("effective_height", "u64")]),
    "remove_validator": (1, [("public_key", ADDRESS), ("effective_height", "u64")]),
    "grant_role": (2, [("account", ADDRESS), ("role", "role")]),
    "revoke_role": (3, [("account", ADDRESS), ("role", "role")]),
    "define_asset": (4, [("class", "asset_class")]),
    "update_asset": (5, [("class", "asset_class")]),
    "set_param": (6, [("name", "string"), ("value", "u64")]),
    "set_member": (7, [("account", ADDRESS), ("member", "bool")]),
    "deploy_contract": (8, [("contract_id", "string"), ("code_hash", HASH32),
                            ("init_args", "bytes"), ("assets", ("vec", "string")),
                            ("budget", ("vec", ("tuple", "string", "u64")))]),
    "upgrade_contract": (9, [("contract_id", "string"), ("code_hash", HASH32),
                             ("migrate_args", "bytes")]),
    "set_contract_status": (10, [("contract_id", "string"), ("status", "contract_status")]),
    "call_contract": (11, [("contract_id", "string"), ("method", "string"), ("args", "bytes")]),
    "set_contract_budget": (12, [("contract_id", "string"), ("asset", "string"),
                                 ("allotted", "u64")]),
}

MERCHANT_CLASSES = ["small_local", "large", "public"]
CONTRACT_STATUSES = ["active", "paused", "removed"]
ASSET_KINDS = ["coin", "point", "voucher"]
ROLES = ["issuer", "merchant", "coordinator", "credential_issuer"]
SPEND_SCOPES = ["anyone", "merchants", "merchant_classes"]
EXPIRY_MODELS = ["none", "fixed_date", "days_per_lot", "rolling_days"]

ASSET_CLASS_FIELDS: list[tuple[str, Any]] = [
    ("id", "string"), ("kind", "asset_kind"), ("issuers", ("vec", ADDRESS)),
    ("transferable", "bool"), ("spendable_at", "spend_scope"), ("redeemable", "bool"),
    ("redeem_fee_bps", "u32"), ("fee_account", ADDRESS), ("holding_cap", "u64"),
    ("expiry", "expiry_policy"), ("breakage_account", ADDRESS), ("pay_priority", "u32"),
    ("required_credential", ("option", "string")),
]


def to_bytes32(v: Any) -> bytes:
    """An address or hash given as 64 hex characters or 32 bytes."""
    if isinstance(v, (bytes, bytearray)):
        b = bytes(v)
    elif isinstance(v, str):
        if len(v) != 64:
            raise ValueError(f"64 hex characters expected, got {v!r}")
        b = bytes.fromhex(v)
    elif hasattr(v, "address"):
        b = bytes(v.address)
    else:
        raise TypeError(f"address or hash expected, got {v!r}")
    if len(b) != 32:
        raise ValueError(f"32 bytes expected, got {len(b)}")
    return b


def to_byte_vec(v: Any) -> bytes:
    if isinstance(v, (bytes, bytearray)):
        return bytes(v)
    if isinstance(v, str):
        return bytes.fromhex(v)
    raise TypeError(f"bytes or hex expected, got {v!r}")


def _index(table: list[str], name: str, what: str) -> int:
    try:
        return table.index(name)
    except ValueError:
        raise ValueError(f"unknown {what} {name!r}") from None


def encode_value(w: Writer, ty: Any, v: Any) -> None:
    if isinstance(ty, tuple):
        head = ty[0]
        if head == "option":
            if v is None:
                w.option_tag(False)
            else:
                w.option_tag(True)
                encode_value(w, ty[1], v)
        elif head == "vec":
            w.seq_len(len(v))
            for item in v:
                encode_value(w, ty[1], item)
        elif head == "tuple":
            if len(v) != len(ty) - 1:
                raise ValueError(f"tuple of {len(ty) - 1} expected, got {v!r}")
            for t, item in zip(ty[1:], v):
                encode_value(w, t, item)
        else:
            raise ValueError(f"unknown type {ty!r}")
        return
    if ty in (ADDRESS, HASH32):
        w.fixed(to_bytes32(v), 32)
    elif ty == "string":
        w.string(v)
    elif ty == "u8":
        w.u8(v)
    elif ty == "u32":
        w.u32(v)
    elif ty == "u64":
        w.u64(v)
    elif ty == "bool":
        w.bool(v)
    elif ty == "bytes":
        w.byte_vec(to_byte_vec(v))
    elif ty == "merchant_class":
        w.u8(_index(MERCHANT_CLASSES, v, "merchant class"))
    elif ty == "contract_status":
        w.u8(_index(CONTRACT_STATUSES, v, "contract status"))
    elif ty == "asset_kind":
        w.u8(_index(ASSET_KINDS, v, "asset kind"))
    elif ty == "role":
        idx = _index(ROLES, v["role"], "role")
        w.u8(idx)
        if v["role"] == "issuer":
            w.string(v["of"])
        elif v["role"] == "merchant":
            encode_value(w, "merchant_class", v["of"])
    elif ty == "spend_scope":
        idx = _index(SPEND_SCOPES, v["scope"], "spend scope")
        w.u8(idx)
        if v["scope"] == "merchant_classes":
            encode_value(w, ("vec", "merchant_class"), v["classes"])
    elif ty == "expiry_policy":
        idx = _index(EXPIRY_MODELS, v["model"], "expiry model")
        w.u8(idx)
        if v["model"] == "fixed_date":
            w.u64(v["value"])
        elif v["model"] in ("days_per_lot", "rolling_days"):
            w.u32(v["value"])
    elif ty == "asset_class":
        encode_fields(w, ASSET_CLASS_FIELDS, v)
    elif ty == "gov_action":
        name = v["action"]
        if name not in GOV_ACTIONS:
            raise ValueError(f"unknown governance action {name!r}")
        idx, fields = GOV_ACTIONS[name]
        w.u8(idx)
        encode_fields(w, fields, v)
    else:
        raise ValueError(f"unknown type {ty!r}")


def encode_fields(w: Writer, fields: list[tuple[str, Any]], obj: dict) -> None:
    for name, ty in fields:
        if name not in obj:
            # Options may be left out of a dict; nothing else may.
            if isinstance(ty, tuple) and ty[0] == "option":
                encode_value(w, ty, None)
                continue
            raise ValueError(f"missing field {name!r}")
        encode_value(w, ty, obj[name])


def encode_operation(op: dict) -> bytes:
    """borsh(Operation) from the operation's JSON form."""
    w = Writer()
    write_operation(w, op)
    return w.bytes()


def write_operation(w: Writer, op: dict) -> None:
    name = op.get("op")
    if name not in OPERATIONS:
        raise ValueError(f"unknown operation {name!r}")
    idx, fields = OPERATIONS[name]
    w.u8(idx)
    encode_fields(w, fields, op)


def role_bytes(role: dict) -> bytes:
    w = Writer()
    encode_value(w, "role", role)
    return w.bytes()


def asset_class_bytes(cls: dict) -> bytes:
    w = Writer()
    encode_value(w, "asset_class", cls)
    return w.bytes()
