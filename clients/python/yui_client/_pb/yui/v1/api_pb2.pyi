from yui_client._pb.yui.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PrepareRequest(_message.Message):
    __slots__ = ("signer", "nonce", "next_nonce", "expire_at_height", "expire_at_time_ms", "charge", "grant", "transfer", "pay", "refund", "redeem", "burn", "operation_json")
    SIGNER_FIELD_NUMBER: _ClassVar[int]
    NONCE_FIELD_NUMBER: _ClassVar[int]
    NEXT_NONCE_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_AT_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_AT_TIME_MS_FIELD_NUMBER: _ClassVar[int]
    CHARGE_FIELD_NUMBER: _ClassVar[int]
    GRANT_FIELD_NUMBER: _ClassVar[int]
    TRANSFER_FIELD_NUMBER: _ClassVar[int]
    PAY_FIELD_NUMBER: _ClassVar[int]
    REFUND_FIELD_NUMBER: _ClassVar[int]
    REDEEM_FIELD_NUMBER: _ClassVar[int]
    BURN_FIELD_NUMBER: _ClassVar[int]
    OPERATION_JSON_FIELD_NUMBER: _ClassVar[int]
    signer: bytes
    nonce: int
    next_nonce: bool
    expire_at_height: int
    expire_at_time_ms: int
    charge: PrepareCharge
    grant: PrepareGrant
    transfer: PrepareTransfer
    pay: PreparePay
    refund: PrepareRefund
    redeem: PrepareRedeem
    burn: PrepareBurn
    operation_json: str
    def __init__(self, signer: _Optional[bytes] = ..., nonce: _Optional[int] = ..., next_nonce: _Optional[bool] = ..., expire_at_height: _Optional[int] = ..., expire_at_time_ms: _Optional[int] = ..., charge: _Optional[_Union[PrepareCharge, _Mapping]] = ..., grant: _Optional[_Union[PrepareGrant, _Mapping]] = ..., transfer: _Optional[_Union[PrepareTransfer, _Mapping]] = ..., pay: _Optional[_Union[PreparePay, _Mapping]] = ..., refund: _Optional[_Union[PrepareRefund, _Mapping]] = ..., redeem: _Optional[_Union[PrepareRedeem, _Mapping]] = ..., burn: _Optional[_Union[PrepareBurn, _Mapping]] = ..., operation_json: _Optional[str] = ...) -> None: ...

class PrepareCharge(_message.Message):
    __slots__ = ("to", "asset", "amount", "deposit_ref", "campaign")
    TO_FIELD_NUMBER: _ClassVar[int]
    ASSET_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    DEPOSIT_REF_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_FIELD_NUMBER: _ClassVar[int]
    to: bytes
    asset: str
    amount: int
    deposit_ref: str
    campaign: str
    def __init__(self, to: _Optional[bytes] = ..., asset: _Optional[str] = ..., amount: _Optional[int] = ..., deposit_ref: _Optional[str] = ..., campaign: _Optional[str] = ...) -> None: ...

class PrepareGrant(_message.Message):
    __slots__ = ("to", "asset", "amount", "reason", "event_id")
    TO_FIELD_NUMBER: _ClassVar[int]
    ASSET_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    to: bytes
    asset: str
    amount: int
    reason: str
    event_id: str
    def __init__(self, to: _Optional[bytes] = ..., asset: _Optional[str] = ..., amount: _Optional[int] = ..., reason: _Optional[str] = ..., event_id: _Optional[str] = ...) -> None: ...

class PrepareTransfer(_message.Message):
    __slots__ = ("to", "asset", "amount")
    TO_FIELD_NUMBER: _ClassVar[int]
    ASSET_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    to: bytes
    asset: str
    amount: int
    def __init__(self, to: _Optional[bytes] = ..., asset: _Optional[str] = ..., amount: _Optional[int] = ...) -> None: ...

class PreparePay(_message.Message):
    __slots__ = ("merchant", "invoice_id", "amount", "assets")
    MERCHANT_FIELD_NUMBER: _ClassVar[int]
    INVOICE_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    ASSETS_FIELD_NUMBER: _ClassVar[int]
    merchant: bytes
    invoice_id: str
    amount: int
    assets: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, merchant: _Optional[bytes] = ..., invoice_id: _Optional[str] = ..., amount: _Optional[int] = ..., assets: _Optional[_Iterable[str]] = ...) -> None: ...

class PrepareRefund(_message.Message):
    __slots__ = ("invoice_id", "amount")
    INVOICE_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    invoice_id: str
    amount: int
    def __init__(self, invoice_id: _Optional[str] = ..., amount: _Optional[int] = ...) -> None: ...

class PrepareRedeem(_message.Message):
    __slots__ = ("asset", "amount", "payout_ref")
    ASSET_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    PAYOUT_REF_FIELD_NUMBER: _ClassVar[int]
    asset: str
    amount: int
    payout_ref: str
    def __init__(self, asset: _Optional[str] = ..., amount: _Optional[int] = ..., payout_ref: _Optional[str] = ...) -> None: ...

class PrepareBurn(_message.Message):
    __slots__ = ("asset", "amount")
    ASSET_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    asset: str
    amount: int
    def __init__(self, asset: _Optional[str] = ..., amount: _Optional[int] = ...) -> None: ...

class PrepareResponse(_message.Message):
    __slots__ = ("tx_bytes", "sign_bytes", "nonce", "chain_id", "expire_at_height", "expire_at_time_ms", "operation_json")
    TX_BYTES_FIELD_NUMBER: _ClassVar[int]
    SIGN_BYTES_FIELD_NUMBER: _ClassVar[int]
    NONCE_FIELD_NUMBER: _ClassVar[int]
    CHAIN_ID_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_AT_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_AT_TIME_MS_FIELD_NUMBER: _ClassVar[int]
    OPERATION_JSON_FIELD_NUMBER: _ClassVar[int]
    tx_bytes: bytes
    sign_bytes: bytes
    nonce: int
    chain_id: str
    expire_at_height: int
    expire_at_time_ms: int
    operation_json: str
    def __init__(self, tx_bytes: _Optional[bytes] = ..., sign_bytes: _Optional[bytes] = ..., nonce: _Optional[int] = ..., chain_id: _Optional[str] = ..., expire_at_height: _Optional[int] = ..., expire_at_time_ms: _Optional[int] = ..., operation_json: _Optional[str] = ...) -> None: ...

class SubmitRequest(_message.Message):
    __slots__ = ("tx", "wait_for_commit", "wait_timeout_ms")
    TX_FIELD_NUMBER: _ClassVar[int]
    WAIT_FOR_COMMIT_FIELD_NUMBER: _ClassVar[int]
    WAIT_TIMEOUT_MS_FIELD_NUMBER: _ClassVar[int]
    tx: bytes
    wait_for_commit: bool
    wait_timeout_ms: int
    def __init__(self, tx: _Optional[bytes] = ..., wait_for_commit: _Optional[bool] = ..., wait_timeout_ms: _Optional[int] = ...) -> None: ...

class SubmitResponse(_message.Message):
    __slots__ = ("tx_hash", "committed", "receipt")
    TX_HASH_FIELD_NUMBER: _ClassVar[int]
    COMMITTED_FIELD_NUMBER: _ClassVar[int]
    RECEIPT_FIELD_NUMBER: _ClassVar[int]
    tx_hash: bytes
    committed: bool
    receipt: _types_pb2.Receipt
    def __init__(self, tx_hash: _Optional[bytes] = ..., committed: _Optional[bool] = ..., receipt: _Optional[_Union[_types_pb2.Receipt, _Mapping]] = ...) -> None: ...

class SubmitStreamResponse(_message.Message):
    __slots__ = ("seq", "code", "message", "response")
    SEQ_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_FIELD_NUMBER: _ClassVar[int]
    seq: int
    code: int
    message: str
    response: SubmitResponse
    def __init__(self, seq: _Optional[int] = ..., code: _Optional[int] = ..., message: _Optional[str] = ..., response: _Optional[_Union[SubmitResponse, _Mapping]] = ...) -> None: ...

class GetTransactionRequest(_message.Message):
    __slots__ = ("tx_hash",)
    TX_HASH_FIELD_NUMBER: _ClassVar[int]
    tx_hash: bytes
    def __init__(self, tx_hash: _Optional[bytes] = ...) -> None: ...

class GetTransactionResponse(_message.Message):
    __slots__ = ("status", "receipt", "tx")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    RECEIPT_FIELD_NUMBER: _ClassVar[int]
    TX_FIELD_NUMBER: _ClassVar[int]
    status: str
    receipt: _types_pb2.Receipt
    tx: _types_pb2.TxSummary
    def __init__(self, status: _Optional[str] = ..., receipt: _Optional[_Union[_types_pb2.Receipt, _Mapping]] = ..., tx: _Optional[_Union[_types_pb2.TxSummary, _Mapping]] = ...) -> None: ...

class GetAccountRequest(_message.Message):
    __slots__ = ("address", "auth")
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    AUTH_FIELD_NUMBER: _ClassVar[int]
    address: bytes
    auth: _types_pb2.ReadAuth
    def __init__(self, address: _Optional[bytes] = ..., auth: _Optional[_Union[_types_pb2.ReadAuth, _Mapping]] = ...) -> None: ...

class GetAccountResponse(_message.Message):
    __slots__ = ("address", "name", "nonce", "roles", "balances", "height", "state_root")
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    NONCE_FIELD_NUMBER: _ClassVar[int]
    ROLES_FIELD_NUMBER: _ClassVar[int]
    BALANCES_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    STATE_ROOT_FIELD_NUMBER: _ClassVar[int]
    address: bytes
    name: str
    nonce: int
    roles: _containers.RepeatedCompositeFieldContainer[_types_pb2.Role]
    balances: _containers.RepeatedCompositeFieldContainer[_types_pb2.Balance]
    height: int
    state_root: bytes
    def __init__(self, address: _Optional[bytes] = ..., name: _Optional[str] = ..., nonce: _Optional[int] = ..., roles: _Optional[_Iterable[_Union[_types_pb2.Role, _Mapping]]] = ..., balances: _Optional[_Iterable[_Union[_types_pb2.Balance, _Mapping]]] = ..., height: _Optional[int] = ..., state_root: _Optional[bytes] = ...) -> None: ...

class GetHistoryRequest(_message.Message):
    __slots__ = ("address", "auth", "limit", "page_token")
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    AUTH_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    address: bytes
    auth: _types_pb2.ReadAuth
    limit: int
    page_token: bytes
    def __init__(self, address: _Optional[bytes] = ..., auth: _Optional[_Union[_types_pb2.ReadAuth, _Mapping]] = ..., limit: _Optional[int] = ..., page_token: _Optional[bytes] = ...) -> None: ...

class HistoryEntry(_message.Message):
    __slots__ = ("height", "time_ms", "tx", "receipt")
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    TIME_MS_FIELD_NUMBER: _ClassVar[int]
    TX_FIELD_NUMBER: _ClassVar[int]
    RECEIPT_FIELD_NUMBER: _ClassVar[int]
    height: int
    time_ms: int
    tx: _types_pb2.TxSummary
    receipt: _types_pb2.Receipt
    def __init__(self, height: _Optional[int] = ..., time_ms: _Optional[int] = ..., tx: _Optional[_Union[_types_pb2.TxSummary, _Mapping]] = ..., receipt: _Optional[_Union[_types_pb2.Receipt, _Mapping]] = ...) -> None: ...

class GetHistoryResponse(_message.Message):
    __slots__ = ("entries", "next_page_token")
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[HistoryEntry]
    next_page_token: bytes
    def __init__(self, entries: _Optional[_Iterable[_Union[HistoryEntry, _Mapping]]] = ..., next_page_token: _Optional[bytes] = ...) -> None: ...

class StreamEventsRequest(_message.Message):
    __slots__ = ("address", "auth")
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    AUTH_FIELD_NUMBER: _ClassVar[int]
    address: bytes
    auth: _types_pb2.ReadAuth
    def __init__(self, address: _Optional[bytes] = ..., auth: _Optional[_Union[_types_pb2.ReadAuth, _Mapping]] = ...) -> None: ...

class AccountEvent(_message.Message):
    __slots__ = ("height", "time_ms", "tx_hash", "event", "failure")
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    TIME_MS_FIELD_NUMBER: _ClassVar[int]
    TX_HASH_FIELD_NUMBER: _ClassVar[int]
    EVENT_FIELD_NUMBER: _ClassVar[int]
    FAILURE_FIELD_NUMBER: _ClassVar[int]
    height: int
    time_ms: int
    tx_hash: bytes
    event: _types_pb2.Event
    failure: TxFailure
    def __init__(self, height: _Optional[int] = ..., time_ms: _Optional[int] = ..., tx_hash: _Optional[bytes] = ..., event: _Optional[_Union[_types_pb2.Event, _Mapping]] = ..., failure: _Optional[_Union[TxFailure, _Mapping]] = ...) -> None: ...

class TxFailure(_message.Message):
    __slots__ = ("operation", "signer", "error", "error_code")
    OPERATION_FIELD_NUMBER: _ClassVar[int]
    SIGNER_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    ERROR_CODE_FIELD_NUMBER: _ClassVar[int]
    operation: str
    signer: bytes
    error: str
    error_code: str
    def __init__(self, operation: _Optional[str] = ..., signer: _Optional[bytes] = ..., error: _Optional[str] = ..., error_code: _Optional[str] = ...) -> None: ...

class ListAssetsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class AssetInfo(_message.Message):
    __slots__ = ("id", "kind", "issuers", "transferable", "spendable_at", "redeemable", "redeem_fee_bps", "fee_account", "holding_cap", "expiry", "breakage_account", "pay_priority", "issued", "burned", "expired")
    ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    ISSUERS_FIELD_NUMBER: _ClassVar[int]
    TRANSFERABLE_FIELD_NUMBER: _ClassVar[int]
    SPENDABLE_AT_FIELD_NUMBER: _ClassVar[int]
    REDEEMABLE_FIELD_NUMBER: _ClassVar[int]
    REDEEM_FEE_BPS_FIELD_NUMBER: _ClassVar[int]
    FEE_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    HOLDING_CAP_FIELD_NUMBER: _ClassVar[int]
    EXPIRY_FIELD_NUMBER: _ClassVar[int]
    BREAKAGE_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    PAY_PRIORITY_FIELD_NUMBER: _ClassVar[int]
    ISSUED_FIELD_NUMBER: _ClassVar[int]
    BURNED_FIELD_NUMBER: _ClassVar[int]
    EXPIRED_FIELD_NUMBER: _ClassVar[int]
    id: str
    kind: str
    issuers: _containers.RepeatedScalarFieldContainer[bytes]
    transferable: bool
    spendable_at: str
    redeemable: bool
    redeem_fee_bps: int
    fee_account: bytes
    holding_cap: int
    expiry: str
    breakage_account: bytes
    pay_priority: int
    issued: int
    burned: int
    expired: int
    def __init__(self, id: _Optional[str] = ..., kind: _Optional[str] = ..., issuers: _Optional[_Iterable[bytes]] = ..., transferable: _Optional[bool] = ..., spendable_at: _Optional[str] = ..., redeemable: _Optional[bool] = ..., redeem_fee_bps: _Optional[int] = ..., fee_account: _Optional[bytes] = ..., holding_cap: _Optional[int] = ..., expiry: _Optional[str] = ..., breakage_account: _Optional[bytes] = ..., pay_priority: _Optional[int] = ..., issued: _Optional[int] = ..., burned: _Optional[int] = ..., expired: _Optional[int] = ...) -> None: ...

class ListAssetsResponse(_message.Message):
    __slots__ = ("assets",)
    ASSETS_FIELD_NUMBER: _ClassVar[int]
    assets: _containers.RepeatedCompositeFieldContainer[AssetInfo]
    def __init__(self, assets: _Optional[_Iterable[_Union[AssetInfo, _Mapping]]] = ...) -> None: ...

class ListEvidenceRequest(_message.Message):
    __slots__ = ("limit",)
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    limit: int
    def __init__(self, limit: _Optional[int] = ...) -> None: ...

class Evidence(_message.Message):
    __slots__ = ("height", "round", "validator", "kind", "first_block_hash", "second_block_hash", "raw")
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    ROUND_FIELD_NUMBER: _ClassVar[int]
    VALIDATOR_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    FIRST_BLOCK_HASH_FIELD_NUMBER: _ClassVar[int]
    SECOND_BLOCK_HASH_FIELD_NUMBER: _ClassVar[int]
    RAW_FIELD_NUMBER: _ClassVar[int]
    height: int
    round: int
    validator: int
    kind: str
    first_block_hash: bytes
    second_block_hash: bytes
    raw: bytes
    def __init__(self, height: _Optional[int] = ..., round: _Optional[int] = ..., validator: _Optional[int] = ..., kind: _Optional[str] = ..., first_block_hash: _Optional[bytes] = ..., second_block_hash: _Optional[bytes] = ..., raw: _Optional[bytes] = ...) -> None: ...

class ListEvidenceResponse(_message.Message):
    __slots__ = ("evidence",)
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    evidence: _containers.RepeatedCompositeFieldContainer[Evidence]
    def __init__(self, evidence: _Optional[_Iterable[_Union[Evidence, _Mapping]]] = ...) -> None: ...

class GetBlockRequest(_message.Message):
    __slots__ = ("height", "hash", "auth")
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    HASH_FIELD_NUMBER: _ClassVar[int]
    AUTH_FIELD_NUMBER: _ClassVar[int]
    height: int
    hash: bytes
    auth: _types_pb2.ReadAuth
    def __init__(self, height: _Optional[int] = ..., hash: _Optional[bytes] = ..., auth: _Optional[_Union[_types_pb2.ReadAuth, _Mapping]] = ...) -> None: ...

class GetLatestBlockRequest(_message.Message):
    __slots__ = ("auth",)
    AUTH_FIELD_NUMBER: _ClassVar[int]
    auth: _types_pb2.ReadAuth
    def __init__(self, auth: _Optional[_Union[_types_pb2.ReadAuth, _Mapping]] = ...) -> None: ...

class StreamBlocksRequest(_message.Message):
    __slots__ = ("from_height", "auth")
    FROM_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    AUTH_FIELD_NUMBER: _ClassVar[int]
    from_height: int
    auth: _types_pb2.ReadAuth
    def __init__(self, from_height: _Optional[int] = ..., auth: _Optional[_Union[_types_pb2.ReadAuth, _Mapping]] = ...) -> None: ...

class GetStatusRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ValidatorInfo(_message.Message):
    __slots__ = ("name", "public_key", "power")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    POWER_FIELD_NUMBER: _ClassVar[int]
    name: str
    public_key: bytes
    power: int
    def __init__(self, name: _Optional[str] = ..., public_key: _Optional[bytes] = ..., power: _Optional[int] = ...) -> None: ...

class GetStatusResponse(_message.Message):
    __slots__ = ("chain_id", "height", "last_block_hash", "state_root", "last_block_time_ms", "validators", "node_key", "mempool_size", "peers", "round", "genesis_hash", "time_zone", "tx_gossip_peers")
    CHAIN_ID_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    LAST_BLOCK_HASH_FIELD_NUMBER: _ClassVar[int]
    STATE_ROOT_FIELD_NUMBER: _ClassVar[int]
    LAST_BLOCK_TIME_MS_FIELD_NUMBER: _ClassVar[int]
    VALIDATORS_FIELD_NUMBER: _ClassVar[int]
    NODE_KEY_FIELD_NUMBER: _ClassVar[int]
    MEMPOOL_SIZE_FIELD_NUMBER: _ClassVar[int]
    PEERS_FIELD_NUMBER: _ClassVar[int]
    ROUND_FIELD_NUMBER: _ClassVar[int]
    GENESIS_HASH_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    TX_GOSSIP_PEERS_FIELD_NUMBER: _ClassVar[int]
    chain_id: str
    height: int
    last_block_hash: bytes
    state_root: bytes
    last_block_time_ms: int
    validators: _containers.RepeatedCompositeFieldContainer[ValidatorInfo]
    node_key: bytes
    mempool_size: int
    peers: _containers.RepeatedScalarFieldContainer[str]
    round: int
    genesis_hash: bytes
    time_zone: str
    tx_gossip_peers: int
    def __init__(self, chain_id: _Optional[str] = ..., height: _Optional[int] = ..., last_block_hash: _Optional[bytes] = ..., state_root: _Optional[bytes] = ..., last_block_time_ms: _Optional[int] = ..., validators: _Optional[_Iterable[_Union[ValidatorInfo, _Mapping]]] = ..., node_key: _Optional[bytes] = ..., mempool_size: _Optional[int] = ..., peers: _Optional[_Iterable[str]] = ..., round: _Optional[int] = ..., genesis_hash: _Optional[bytes] = ..., time_zone: _Optional[str] = ..., tx_gossip_peers: _Optional[int] = ...) -> None: ...

class GetGenesisRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetGenesisResponse(_message.Message):
    __slots__ = ("json", "hash")
    JSON_FIELD_NUMBER: _ClassVar[int]
    HASH_FIELD_NUMBER: _ClassVar[int]
    json: str
    hash: bytes
    def __init__(self, json: _Optional[str] = ..., hash: _Optional[bytes] = ...) -> None: ...

class GetProofRequest(_message.Message):
    __slots__ = ("kind", "address", "id", "auth", "storage_key", "height")
    KIND_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    AUTH_FIELD_NUMBER: _ClassVar[int]
    STORAGE_KEY_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    kind: str
    address: bytes
    id: str
    auth: _types_pb2.ReadAuth
    storage_key: bytes
    height: int
    def __init__(self, kind: _Optional[str] = ..., address: _Optional[bytes] = ..., id: _Optional[str] = ..., auth: _Optional[_Union[_types_pb2.ReadAuth, _Mapping]] = ..., storage_key: _Optional[bytes] = ..., height: _Optional[int] = ...) -> None: ...

class GetProofResponse(_message.Message):
    __slots__ = ("height", "state_root", "key", "value", "present", "proof")
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    STATE_ROOT_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    PRESENT_FIELD_NUMBER: _ClassVar[int]
    PROOF_FIELD_NUMBER: _ClassVar[int]
    height: int
    state_root: bytes
    key: bytes
    value: bytes
    present: bool
    proof: bytes
    def __init__(self, height: _Optional[int] = ..., state_root: _Optional[bytes] = ..., key: _Optional[bytes] = ..., value: _Optional[bytes] = ..., present: _Optional[bool] = ..., proof: _Optional[bytes] = ...) -> None: ...

class ListJobsRequest(_message.Message):
    __slots__ = ("state", "coordinator", "limit", "page_token")
    STATE_FIELD_NUMBER: _ClassVar[int]
    COORDINATOR_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    state: str
    coordinator: bytes
    limit: int
    page_token: bytes
    def __init__(self, state: _Optional[str] = ..., coordinator: _Optional[bytes] = ..., limit: _Optional[int] = ..., page_token: _Optional[bytes] = ...) -> None: ...

class JobStep(_message.Message):
    __slots__ = ("action", "state", "height", "time_ms", "by")
    ACTION_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    TIME_MS_FIELD_NUMBER: _ClassVar[int]
    BY_FIELD_NUMBER: _ClassVar[int]
    action: str
    state: str
    height: int
    time_ms: int
    by: bytes
    def __init__(self, action: _Optional[str] = ..., state: _Optional[str] = ..., height: _Optional[int] = ..., time_ms: _Optional[int] = ..., by: _Optional[bytes] = ...) -> None: ...

class Job(_message.Message):
    __slots__ = ("id", "poster", "worker", "coordinator", "asset", "reward", "escrow", "state", "open", "accept_deadline_ms", "posted_at_ms", "accepted_at_ms", "submitted_at_ms", "closed_at_ms", "timeout_at_ms", "required_credential", "description_hash", "proof_hash", "rating", "cancel_consent", "disputed_by", "reason_hash", "resolved_to_worker", "history")
    ID_FIELD_NUMBER: _ClassVar[int]
    POSTER_FIELD_NUMBER: _ClassVar[int]
    WORKER_FIELD_NUMBER: _ClassVar[int]
    COORDINATOR_FIELD_NUMBER: _ClassVar[int]
    ASSET_FIELD_NUMBER: _ClassVar[int]
    REWARD_FIELD_NUMBER: _ClassVar[int]
    ESCROW_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    OPEN_FIELD_NUMBER: _ClassVar[int]
    ACCEPT_DEADLINE_MS_FIELD_NUMBER: _ClassVar[int]
    POSTED_AT_MS_FIELD_NUMBER: _ClassVar[int]
    ACCEPTED_AT_MS_FIELD_NUMBER: _ClassVar[int]
    SUBMITTED_AT_MS_FIELD_NUMBER: _ClassVar[int]
    CLOSED_AT_MS_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_AT_MS_FIELD_NUMBER: _ClassVar[int]
    REQUIRED_CREDENTIAL_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_HASH_FIELD_NUMBER: _ClassVar[int]
    PROOF_HASH_FIELD_NUMBER: _ClassVar[int]
    RATING_FIELD_NUMBER: _ClassVar[int]
    CANCEL_CONSENT_FIELD_NUMBER: _ClassVar[int]
    DISPUTED_BY_FIELD_NUMBER: _ClassVar[int]
    REASON_HASH_FIELD_NUMBER: _ClassVar[int]
    RESOLVED_TO_WORKER_FIELD_NUMBER: _ClassVar[int]
    HISTORY_FIELD_NUMBER: _ClassVar[int]
    id: str
    poster: bytes
    worker: bytes
    coordinator: bytes
    asset: str
    reward: int
    escrow: int
    state: str
    open: bool
    accept_deadline_ms: int
    posted_at_ms: int
    accepted_at_ms: int
    submitted_at_ms: int
    closed_at_ms: int
    timeout_at_ms: int
    required_credential: str
    description_hash: bytes
    proof_hash: bytes
    rating: int
    cancel_consent: bool
    disputed_by: bytes
    reason_hash: bytes
    resolved_to_worker: int
    history: _containers.RepeatedCompositeFieldContainer[JobStep]
    def __init__(self, id: _Optional[str] = ..., poster: _Optional[bytes] = ..., worker: _Optional[bytes] = ..., coordinator: _Optional[bytes] = ..., asset: _Optional[str] = ..., reward: _Optional[int] = ..., escrow: _Optional[int] = ..., state: _Optional[str] = ..., open: _Optional[bool] = ..., accept_deadline_ms: _Optional[int] = ..., posted_at_ms: _Optional[int] = ..., accepted_at_ms: _Optional[int] = ..., submitted_at_ms: _Optional[int] = ..., closed_at_ms: _Optional[int] = ..., timeout_at_ms: _Optional[int] = ..., required_credential: _Optional[str] = ..., description_hash: _Optional[bytes] = ..., proof_hash: _Optional[bytes] = ..., rating: _Optional[int] = ..., cancel_consent: _Optional[bool] = ..., disputed_by: _Optional[bytes] = ..., reason_hash: _Optional[bytes] = ..., resolved_to_worker: _Optional[int] = ..., history: _Optional[_Iterable[_Union[JobStep, _Mapping]]] = ...) -> None: ...

class ListJobsResponse(_message.Message):
    __slots__ = ("jobs", "next_page_token", "height")
    JOBS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    jobs: _containers.RepeatedCompositeFieldContainer[Job]
    next_page_token: bytes
    height: int
    def __init__(self, jobs: _Optional[_Iterable[_Union[Job, _Mapping]]] = ..., next_page_token: _Optional[bytes] = ..., height: _Optional[int] = ...) -> None: ...

class GetJobRequest(_message.Message):
    __slots__ = ("job_id",)
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    def __init__(self, job_id: _Optional[str] = ...) -> None: ...

class GetJobResponse(_message.Message):
    __slots__ = ("job", "height")
    JOB_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    job: Job
    height: int
    def __init__(self, job: _Optional[_Union[Job, _Mapping]] = ..., height: _Optional[int] = ...) -> None: ...

class GetReputationRequest(_message.Message):
    __slots__ = ("address",)
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    address: bytes
    def __init__(self, address: _Optional[bytes] = ...) -> None: ...

class GetReputationResponse(_message.Message):
    __slots__ = ("address", "jobs_completed", "rating_sum", "rating_count", "disputes_lost", "height")
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    JOBS_COMPLETED_FIELD_NUMBER: _ClassVar[int]
    RATING_SUM_FIELD_NUMBER: _ClassVar[int]
    RATING_COUNT_FIELD_NUMBER: _ClassVar[int]
    DISPUTES_LOST_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    address: bytes
    jobs_completed: int
    rating_sum: int
    rating_count: int
    disputes_lost: int
    height: int
    def __init__(self, address: _Optional[bytes] = ..., jobs_completed: _Optional[int] = ..., rating_sum: _Optional[int] = ..., rating_count: _Optional[int] = ..., disputes_lost: _Optional[int] = ..., height: _Optional[int] = ...) -> None: ...

class StreamJobEventsRequest(_message.Message):
    __slots__ = ("job_id",)
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    def __init__(self, job_id: _Optional[str] = ...) -> None: ...

class JobEvent(_message.Message):
    __slots__ = ("height", "time_ms", "tx_hash", "job_id", "event")
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    TIME_MS_FIELD_NUMBER: _ClassVar[int]
    TX_HASH_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    EVENT_FIELD_NUMBER: _ClassVar[int]
    height: int
    time_ms: int
    tx_hash: bytes
    job_id: str
    event: _types_pb2.Event
    def __init__(self, height: _Optional[int] = ..., time_ms: _Optional[int] = ..., tx_hash: _Optional[bytes] = ..., job_id: _Optional[str] = ..., event: _Optional[_Union[_types_pb2.Event, _Mapping]] = ...) -> None: ...

class CredentialStep(_message.Message):
    __slots__ = ("action", "by", "status", "reason", "height", "time_ms")
    ACTION_FIELD_NUMBER: _ClassVar[int]
    BY_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    TIME_MS_FIELD_NUMBER: _ClassVar[int]
    action: str
    by: bytes
    status: str
    reason: str
    height: int
    time_ms: int
    def __init__(self, action: _Optional[str] = ..., by: _Optional[bytes] = ..., status: _Optional[str] = ..., reason: _Optional[str] = ..., height: _Optional[int] = ..., time_ms: _Optional[int] = ...) -> None: ...

class Credential(_message.Message):
    __slots__ = ("id", "subject", "kind", "issuer", "valid_from_ms", "valid_until_ms", "claims_digest", "status", "history")
    ID_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    ISSUER_FIELD_NUMBER: _ClassVar[int]
    VALID_FROM_MS_FIELD_NUMBER: _ClassVar[int]
    VALID_UNTIL_MS_FIELD_NUMBER: _ClassVar[int]
    CLAIMS_DIGEST_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    HISTORY_FIELD_NUMBER: _ClassVar[int]
    id: str
    subject: bytes
    kind: str
    issuer: bytes
    valid_from_ms: int
    valid_until_ms: int
    claims_digest: bytes
    status: str
    history: _containers.RepeatedCompositeFieldContainer[CredentialStep]
    def __init__(self, id: _Optional[str] = ..., subject: _Optional[bytes] = ..., kind: _Optional[str] = ..., issuer: _Optional[bytes] = ..., valid_from_ms: _Optional[int] = ..., valid_until_ms: _Optional[int] = ..., claims_digest: _Optional[bytes] = ..., status: _Optional[str] = ..., history: _Optional[_Iterable[_Union[CredentialStep, _Mapping]]] = ...) -> None: ...

class GetCredentialRequest(_message.Message):
    __slots__ = ("credential_id",)
    CREDENTIAL_ID_FIELD_NUMBER: _ClassVar[int]
    credential_id: str
    def __init__(self, credential_id: _Optional[str] = ...) -> None: ...

class GetCredentialResponse(_message.Message):
    __slots__ = ("credential", "standing", "height")
    CREDENTIAL_FIELD_NUMBER: _ClassVar[int]
    STANDING_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    credential: Credential
    standing: str
    height: int
    def __init__(self, credential: _Optional[_Union[Credential, _Mapping]] = ..., standing: _Optional[str] = ..., height: _Optional[int] = ...) -> None: ...

class Disclosure(_message.Message):
    __slots__ = ("name", "value", "salt", "leaves")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    SALT_FIELD_NUMBER: _ClassVar[int]
    LEAVES_FIELD_NUMBER: _ClassVar[int]
    name: str
    value: str
    salt: str
    leaves: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, name: _Optional[str] = ..., value: _Optional[str] = ..., salt: _Optional[str] = ..., leaves: _Optional[_Iterable[str]] = ...) -> None: ...

class VerifyCredentialRequest(_message.Message):
    __slots__ = ("credential_id", "at_ms", "disclosure")
    CREDENTIAL_ID_FIELD_NUMBER: _ClassVar[int]
    AT_MS_FIELD_NUMBER: _ClassVar[int]
    DISCLOSURE_FIELD_NUMBER: _ClassVar[int]
    credential_id: str
    at_ms: int
    disclosure: Disclosure
    def __init__(self, credential_id: _Optional[str] = ..., at_ms: _Optional[int] = ..., disclosure: _Optional[_Union[Disclosure, _Mapping]] = ...) -> None: ...

class VerifyCredentialResponse(_message.Message):
    __slots__ = ("credential", "standing", "at_ms", "valid", "claim_verified", "claim_error", "height")
    CREDENTIAL_FIELD_NUMBER: _ClassVar[int]
    STANDING_FIELD_NUMBER: _ClassVar[int]
    AT_MS_FIELD_NUMBER: _ClassVar[int]
    VALID_FIELD_NUMBER: _ClassVar[int]
    CLAIM_VERIFIED_FIELD_NUMBER: _ClassVar[int]
    CLAIM_ERROR_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    credential: Credential
    standing: str
    at_ms: int
    valid: bool
    claim_verified: bool
    claim_error: str
    height: int
    def __init__(self, credential: _Optional[_Union[Credential, _Mapping]] = ..., standing: _Optional[str] = ..., at_ms: _Optional[int] = ..., valid: _Optional[bool] = ..., claim_verified: _Optional[bool] = ..., claim_error: _Optional[str] = ..., height: _Optional[int] = ...) -> None: ...

class ListCredentialsRequest(_message.Message):
    __slots__ = ("subject", "auth")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    AUTH_FIELD_NUMBER: _ClassVar[int]
    subject: bytes
    auth: _types_pb2.ReadAuth
    def __init__(self, subject: _Optional[bytes] = ..., auth: _Optional[_Union[_types_pb2.ReadAuth, _Mapping]] = ...) -> None: ...

class ListCredentialsResponse(_message.Message):
    __slots__ = ("credentials", "standings", "height")
    CREDENTIALS_FIELD_NUMBER: _ClassVar[int]
    STANDINGS_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    credentials: _containers.RepeatedCompositeFieldContainer[Credential]
    standings: _containers.RepeatedScalarFieldContainer[str]
    height: int
    def __init__(self, credentials: _Optional[_Iterable[_Union[Credential, _Mapping]]] = ..., standings: _Optional[_Iterable[str]] = ..., height: _Optional[int] = ...) -> None: ...

class Access(_message.Message):
    __slots__ = ("purpose", "height", "time_ms")
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    TIME_MS_FIELD_NUMBER: _ClassVar[int]
    purpose: str
    height: int
    time_ms: int
    def __init__(self, purpose: _Optional[str] = ..., height: _Optional[int] = ..., time_ms: _Optional[int] = ...) -> None: ...

class Consent(_message.Message):
    __slots__ = ("subject", "party", "scope", "granted_at_ms", "expires_at_ms", "revoked_at_ms", "active", "access_count", "accesses")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    PARTY_FIELD_NUMBER: _ClassVar[int]
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    GRANTED_AT_MS_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_MS_FIELD_NUMBER: _ClassVar[int]
    REVOKED_AT_MS_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    ACCESS_COUNT_FIELD_NUMBER: _ClassVar[int]
    ACCESSES_FIELD_NUMBER: _ClassVar[int]
    subject: bytes
    party: bytes
    scope: str
    granted_at_ms: int
    expires_at_ms: int
    revoked_at_ms: int
    active: bool
    access_count: int
    accesses: _containers.RepeatedCompositeFieldContainer[Access]
    def __init__(self, subject: _Optional[bytes] = ..., party: _Optional[bytes] = ..., scope: _Optional[str] = ..., granted_at_ms: _Optional[int] = ..., expires_at_ms: _Optional[int] = ..., revoked_at_ms: _Optional[int] = ..., active: _Optional[bool] = ..., access_count: _Optional[int] = ..., accesses: _Optional[_Iterable[_Union[Access, _Mapping]]] = ...) -> None: ...

class ListConsentsRequest(_message.Message):
    __slots__ = ("subject", "auth")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    AUTH_FIELD_NUMBER: _ClassVar[int]
    subject: bytes
    auth: _types_pb2.ReadAuth
    def __init__(self, subject: _Optional[bytes] = ..., auth: _Optional[_Union[_types_pb2.ReadAuth, _Mapping]] = ...) -> None: ...

class ListConsentsResponse(_message.Message):
    __slots__ = ("consents", "height")
    CONSENTS_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    consents: _containers.RepeatedCompositeFieldContainer[Consent]
    height: int
    def __init__(self, consents: _Optional[_Iterable[_Union[Consent, _Mapping]]] = ..., height: _Optional[int] = ...) -> None: ...

class GetGovernanceRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class Param(_message.Message):
    __slots__ = ("name", "value")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    name: str
    value: int
    def __init__(self, name: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...

class PendingValidatorChange(_message.Message):
    __slots__ = ("effective_height", "change", "validator")
    EFFECTIVE_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    CHANGE_FIELD_NUMBER: _ClassVar[int]
    VALIDATOR_FIELD_NUMBER: _ClassVar[int]
    effective_height: int
    change: str
    validator: ValidatorInfo
    def __init__(self, effective_height: _Optional[int] = ..., change: _Optional[str] = ..., validator: _Optional[_Union[ValidatorInfo, _Mapping]] = ...) -> None: ...

class GetGovernanceResponse(_message.Message):
    __slots__ = ("members", "params", "approvals_needed", "validators", "pending", "height")
    MEMBERS_FIELD_NUMBER: _ClassVar[int]
    PARAMS_FIELD_NUMBER: _ClassVar[int]
    APPROVALS_NEEDED_FIELD_NUMBER: _ClassVar[int]
    VALIDATORS_FIELD_NUMBER: _ClassVar[int]
    PENDING_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    members: _containers.RepeatedScalarFieldContainer[bytes]
    params: _containers.RepeatedCompositeFieldContainer[Param]
    approvals_needed: int
    validators: _containers.RepeatedCompositeFieldContainer[ValidatorInfo]
    pending: _containers.RepeatedCompositeFieldContainer[PendingValidatorChange]
    height: int
    def __init__(self, members: _Optional[_Iterable[bytes]] = ..., params: _Optional[_Iterable[_Union[Param, _Mapping]]] = ..., approvals_needed: _Optional[int] = ..., validators: _Optional[_Iterable[_Union[ValidatorInfo, _Mapping]]] = ..., pending: _Optional[_Iterable[_Union[PendingValidatorChange, _Mapping]]] = ..., height: _Optional[int] = ...) -> None: ...

class Proposal(_message.Message):
    __slots__ = ("id", "proposer", "action", "action_json", "description", "state", "approvals", "rejections", "expires_at_ms", "created_height", "created_ms", "closed_height", "outcome")
    ID_FIELD_NUMBER: _ClassVar[int]
    PROPOSER_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    ACTION_JSON_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    APPROVALS_FIELD_NUMBER: _ClassVar[int]
    REJECTIONS_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_MS_FIELD_NUMBER: _ClassVar[int]
    CREATED_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    CREATED_MS_FIELD_NUMBER: _ClassVar[int]
    CLOSED_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    id: str
    proposer: bytes
    action: str
    action_json: str
    description: str
    state: str
    approvals: _containers.RepeatedScalarFieldContainer[bytes]
    rejections: _containers.RepeatedScalarFieldContainer[bytes]
    expires_at_ms: int
    created_height: int
    created_ms: int
    closed_height: int
    outcome: str
    def __init__(self, id: _Optional[str] = ..., proposer: _Optional[bytes] = ..., action: _Optional[str] = ..., action_json: _Optional[str] = ..., description: _Optional[str] = ..., state: _Optional[str] = ..., approvals: _Optional[_Iterable[bytes]] = ..., rejections: _Optional[_Iterable[bytes]] = ..., expires_at_ms: _Optional[int] = ..., created_height: _Optional[int] = ..., created_ms: _Optional[int] = ..., closed_height: _Optional[int] = ..., outcome: _Optional[str] = ...) -> None: ...

class ListProposalsRequest(_message.Message):
    __slots__ = ("state", "limit", "page_token")
    STATE_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    state: str
    limit: int
    page_token: bytes
    def __init__(self, state: _Optional[str] = ..., limit: _Optional[int] = ..., page_token: _Optional[bytes] = ...) -> None: ...

class ListProposalsResponse(_message.Message):
    __slots__ = ("proposals", "next_page_token", "height")
    PROPOSALS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    proposals: _containers.RepeatedCompositeFieldContainer[Proposal]
    next_page_token: bytes
    height: int
    def __init__(self, proposals: _Optional[_Iterable[_Union[Proposal, _Mapping]]] = ..., next_page_token: _Optional[bytes] = ..., height: _Optional[int] = ...) -> None: ...

class GetProposalRequest(_message.Message):
    __slots__ = ("proposal_id",)
    PROPOSAL_ID_FIELD_NUMBER: _ClassVar[int]
    proposal_id: str
    def __init__(self, proposal_id: _Optional[str] = ...) -> None: ...

class GetProposalResponse(_message.Message):
    __slots__ = ("proposal", "approvals_needed", "height")
    PROPOSAL_FIELD_NUMBER: _ClassVar[int]
    APPROVALS_NEEDED_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    proposal: Proposal
    approvals_needed: int
    height: int
    def __init__(self, proposal: _Optional[_Union[Proposal, _Mapping]] = ..., approvals_needed: _Optional[int] = ..., height: _Optional[int] = ...) -> None: ...

class StreamGovernanceEventsRequest(_message.Message):
    __slots__ = ("proposal_id",)
    PROPOSAL_ID_FIELD_NUMBER: _ClassVar[int]
    proposal_id: str
    def __init__(self, proposal_id: _Optional[str] = ...) -> None: ...

class GovernanceEvent(_message.Message):
    __slots__ = ("height", "time_ms", "tx_hash", "event")
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    TIME_MS_FIELD_NUMBER: _ClassVar[int]
    TX_HASH_FIELD_NUMBER: _ClassVar[int]
    EVENT_FIELD_NUMBER: _ClassVar[int]
    height: int
    time_ms: int
    tx_hash: bytes
    event: _types_pb2.Event
    def __init__(self, height: _Optional[int] = ..., time_ms: _Optional[int] = ..., tx_hash: _Optional[bytes] = ..., event: _Optional[_Union[_types_pb2.Event, _Mapping]] = ...) -> None: ...
