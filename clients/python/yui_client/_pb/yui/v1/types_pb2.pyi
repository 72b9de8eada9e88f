from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ReadAuth(_message.Message):
    __slots__ = ("reader", "time_ms", "signature")
    READER_FIELD_NUMBER: _ClassVar[int]
    TIME_MS_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    reader: bytes
    time_ms: int
    signature: bytes
    def __init__(self, reader: _Optional[bytes] = ..., time_ms: _Optional[int] = ..., signature: _Optional[bytes] = ...) -> None: ...

class Lot(_message.Message):
    __slots__ = ("amount", "expires_at_ms")
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_MS_FIELD_NUMBER: _ClassVar[int]
    amount: int
    expires_at_ms: int
    def __init__(self, amount: _Optional[int] = ..., expires_at_ms: _Optional[int] = ...) -> None: ...

class Balance(_message.Message):
    __slots__ = ("asset", "total", "lots", "last_change_ms")
    ASSET_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    LOTS_FIELD_NUMBER: _ClassVar[int]
    LAST_CHANGE_MS_FIELD_NUMBER: _ClassVar[int]
    asset: str
    total: int
    lots: _containers.RepeatedCompositeFieldContainer[Lot]
    last_change_ms: int
    def __init__(self, asset: _Optional[str] = ..., total: _Optional[int] = ..., lots: _Optional[_Iterable[_Union[Lot, _Mapping]]] = ..., last_change_ms: _Optional[int] = ...) -> None: ...

class Role(_message.Message):
    __slots__ = ("kind", "of")
    KIND_FIELD_NUMBER: _ClassVar[int]
    OF_FIELD_NUMBER: _ClassVar[int]
    kind: str
    of: str
    def __init__(self, kind: _Optional[str] = ..., of: _Optional[str] = ...) -> None: ...

class Event(_message.Message):
    __slots__ = ("kind", "asset", "to", "amount", "fee", "reference", "parts", "expires_at_ms", "detail", "note", "accounts")
    KIND_FIELD_NUMBER: _ClassVar[int]
    ASSET_FIELD_NUMBER: _ClassVar[int]
    FROM_FIELD_NUMBER: _ClassVar[int]
    TO_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    FEE_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    PARTS_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_MS_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    ACCOUNTS_FIELD_NUMBER: _ClassVar[int]
    kind: str
    asset: str
    to: bytes
    amount: int
    fee: int
    reference: str
    parts: _containers.RepeatedCompositeFieldContainer[AssetAmount]
    expires_at_ms: int
    detail: str
    note: str
    accounts: _containers.RepeatedScalarFieldContainer[bytes]
    def __init__(self, kind: _Optional[str] = ..., asset: _Optional[str] = ..., to: _Optional[bytes] = ..., amount: _Optional[int] = ..., fee: _Optional[int] = ..., reference: _Optional[str] = ..., parts: _Optional[_Iterable[_Union[AssetAmount, _Mapping]]] = ..., expires_at_ms: _Optional[int] = ..., detail: _Optional[str] = ..., note: _Optional[str] = ..., accounts: _Optional[_Iterable[bytes]] = ..., **kwargs) -> None: ...

class AssetAmount(_message.Message):
    __slots__ = ("asset", "amount")
    ASSET_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    asset: str
    amount: int
    def __init__(self, asset: _Optional[str] = ..., amount: _Optional[int] = ...) -> None: ...

class Receipt(_message.Message):
    __slots__ = ("tx_hash", "signer", "height", "index", "success", "error", "events", "error_code")
    TX_HASH_FIELD_NUMBER: _ClassVar[int]
    SIGNER_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    INDEX_FIELD_NUMBER: _ClassVar[int]
    SUCCESS_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    ERROR_CODE_FIELD_NUMBER: _ClassVar[int]
    tx_hash: bytes
    signer: bytes
    height: int
    index: int
    success: bool
    error: str
    events: _containers.RepeatedCompositeFieldContainer[Event]
    error_code: str
    def __init__(self, tx_hash: _Optional[bytes] = ..., signer: _Optional[bytes] = ..., height: _Optional[int] = ..., index: _Optional[int] = ..., success: _Optional[bool] = ..., error: _Optional[str] = ..., events: _Optional[_Iterable[_Union[Event, _Mapping]]] = ..., error_code: _Optional[str] = ...) -> None: ...

class TxSummary(_message.Message):
    __slots__ = ("hash", "signer", "nonce", "operation", "operation_json", "raw")
    HASH_FIELD_NUMBER: _ClassVar[int]
    SIGNER_FIELD_NUMBER: _ClassVar[int]
    NONCE_FIELD_NUMBER: _ClassVar[int]
    OPERATION_FIELD_NUMBER: _ClassVar[int]
    OPERATION_JSON_FIELD_NUMBER: _ClassVar[int]
    RAW_FIELD_NUMBER: _ClassVar[int]
    hash: bytes
    signer: bytes
    nonce: int
    operation: str
    operation_json: str
    raw: bytes
    def __init__(self, hash: _Optional[bytes] = ..., signer: _Optional[bytes] = ..., nonce: _Optional[int] = ..., operation: _Optional[str] = ..., operation_json: _Optional[str] = ..., raw: _Optional[bytes] = ...) -> None: ...

class BlockHeader(_message.Message):
    __slots__ = ("chain_id", "height", "time_ms", "prev_hash", "tx_root", "receipts_root", "state_root", "proposer", "validators_hash", "hash")
    CHAIN_ID_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    TIME_MS_FIELD_NUMBER: _ClassVar[int]
    PREV_HASH_FIELD_NUMBER: _ClassVar[int]
    TX_ROOT_FIELD_NUMBER: _ClassVar[int]
    RECEIPTS_ROOT_FIELD_NUMBER: _ClassVar[int]
    STATE_ROOT_FIELD_NUMBER: _ClassVar[int]
    PROPOSER_FIELD_NUMBER: _ClassVar[int]
    VALIDATORS_HASH_FIELD_NUMBER: _ClassVar[int]
    HASH_FIELD_NUMBER: _ClassVar[int]
    chain_id: str
    height: int
    time_ms: int
    prev_hash: bytes
    tx_root: bytes
    receipts_root: bytes
    state_root: bytes
    proposer: bytes
    validators_hash: bytes
    hash: bytes
    def __init__(self, chain_id: _Optional[str] = ..., height: _Optional[int] = ..., time_ms: _Optional[int] = ..., prev_hash: _Optional[bytes] = ..., tx_root: _Optional[bytes] = ..., receipts_root: _Optional[bytes] = ..., state_root: _Optional[bytes] = ..., proposer: _Optional[bytes] = ..., validators_hash: _Optional[bytes] = ..., hash: _Optional[bytes] = ...) -> None: ...

class CommitSignature(_message.Message):
    __slots__ = ("validator", "signature")
    VALIDATOR_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    validator: int
    signature: bytes
    def __init__(self, validator: _Optional[int] = ..., signature: _Optional[bytes] = ...) -> None: ...

class CommitCertificate(_message.Message):
    __slots__ = ("height", "round", "block_hash", "signatures")
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    ROUND_FIELD_NUMBER: _ClassVar[int]
    BLOCK_HASH_FIELD_NUMBER: _ClassVar[int]
    SIGNATURES_FIELD_NUMBER: _ClassVar[int]
    height: int
    round: int
    block_hash: bytes
    signatures: _containers.RepeatedCompositeFieldContainer[CommitSignature]
    def __init__(self, height: _Optional[int] = ..., round: _Optional[int] = ..., block_hash: _Optional[bytes] = ..., signatures: _Optional[_Iterable[_Union[CommitSignature, _Mapping]]] = ...) -> None: ...

class Block(_message.Message):
    __slots__ = ("header", "certificate", "tx_count", "txs", "raw", "raw_certificate")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATE_FIELD_NUMBER: _ClassVar[int]
    TX_COUNT_FIELD_NUMBER: _ClassVar[int]
    TXS_FIELD_NUMBER: _ClassVar[int]
    RAW_FIELD_NUMBER: _ClassVar[int]
    RAW_CERTIFICATE_FIELD_NUMBER: _ClassVar[int]
    header: BlockHeader
    certificate: CommitCertificate
    tx_count: int
    txs: _containers.RepeatedCompositeFieldContainer[TxSummary]
    raw: bytes
    raw_certificate: bytes
    def __init__(self, header: _Optional[_Union[BlockHeader, _Mapping]] = ..., certificate: _Optional[_Union[CommitCertificate, _Mapping]] = ..., tx_count: _Optional[int] = ..., txs: _Optional[_Iterable[_Union[TxSummary, _Mapping]]] = ..., raw: _Optional[bytes] = ..., raw_certificate: _Optional[bytes] = ...) -> None: ...
