from yui_client._pb.yui.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class BudgetLine(_message.Message):
    __slots__ = ("asset", "allotted", "granted")
    ASSET_FIELD_NUMBER: _ClassVar[int]
    ALLOTTED_FIELD_NUMBER: _ClassVar[int]
    GRANTED_FIELD_NUMBER: _ClassVar[int]
    asset: str
    allotted: int
    granted: int
    def __init__(self, asset: _Optional[str] = ..., allotted: _Optional[int] = ..., granted: _Optional[int] = ...) -> None: ...

class Contract(_message.Message):
    __slots__ = ("id", "code_hash", "code_size", "methods", "engine_version", "fuel_table_version", "account", "assets", "budget", "status", "proposal_id", "deployed_height", "deployed_ms", "upgraded_height", "calls", "fuel_used", "balances")
    ID_FIELD_NUMBER: _ClassVar[int]
    CODE_HASH_FIELD_NUMBER: _ClassVar[int]
    CODE_SIZE_FIELD_NUMBER: _ClassVar[int]
    METHODS_FIELD_NUMBER: _ClassVar[int]
    ENGINE_VERSION_FIELD_NUMBER: _ClassVar[int]
    FUEL_TABLE_VERSION_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    ASSETS_FIELD_NUMBER: _ClassVar[int]
    BUDGET_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PROPOSAL_ID_FIELD_NUMBER: _ClassVar[int]
    DEPLOYED_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    DEPLOYED_MS_FIELD_NUMBER: _ClassVar[int]
    UPGRADED_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    CALLS_FIELD_NUMBER: _ClassVar[int]
    FUEL_USED_FIELD_NUMBER: _ClassVar[int]
    BALANCES_FIELD_NUMBER: _ClassVar[int]
    id: str
    code_hash: bytes
    code_size: int
    methods: _containers.RepeatedScalarFieldContainer[str]
    engine_version: int
    fuel_table_version: int
    account: bytes
    assets: _containers.RepeatedScalarFieldContainer[str]
    budget: _containers.RepeatedCompositeFieldContainer[BudgetLine]
    status: str
    proposal_id: str
    deployed_height: int
    deployed_ms: int
    upgraded_height: int
    calls: int
    fuel_used: int
    balances: _containers.RepeatedCompositeFieldContainer[_types_pb2.Balance]
    def __init__(self, id: _Optional[str] = ..., code_hash: _Optional[bytes] = ..., code_size: _Optional[int] = ..., methods: _Optional[_Iterable[str]] = ..., engine_version: _Optional[int] = ..., fuel_table_version: _Optional[int] = ..., account: _Optional[bytes] = ..., assets: _Optional[_Iterable[str]] = ..., budget: _Optional[_Iterable[_Union[BudgetLine, _Mapping]]] = ..., status: _Optional[str] = ..., proposal_id: _Optional[str] = ..., deployed_height: _Optional[int] = ..., deployed_ms: _Optional[int] = ..., upgraded_height: _Optional[int] = ..., calls: _Optional[int] = ..., fuel_used: _Optional[int] = ..., balances: _Optional[_Iterable[_Union[_types_pb2.Balance, _Mapping]]] = ...) -> None: ...

class ListContractsRequest(_message.Message):
    __slots__ = ("limit", "page_token")
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    limit: int
    page_token: bytes
    def __init__(self, limit: _Optional[int] = ..., page_token: _Optional[bytes] = ...) -> None: ...

class ListContractsResponse(_message.Message):
    __slots__ = ("contracts", "next_page_token", "height")
    CONTRACTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    contracts: _containers.RepeatedCompositeFieldContainer[Contract]
    next_page_token: bytes
    height: int
    def __init__(self, contracts: _Optional[_Iterable[_Union[Contract, _Mapping]]] = ..., next_page_token: _Optional[bytes] = ..., height: _Optional[int] = ...) -> None: ...

class GetContractRequest(_message.Message):
    __slots__ = ("contract_id",)
    CONTRACT_ID_FIELD_NUMBER: _ClassVar[int]
    contract_id: str
    def __init__(self, contract_id: _Optional[str] = ...) -> None: ...

class GetContractResponse(_message.Message):
    __slots__ = ("contract", "height")
    CONTRACT_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    contract: Contract
    height: int
    def __init__(self, contract: _Optional[_Union[Contract, _Mapping]] = ..., height: _Optional[int] = ...) -> None: ...

class QueryContractRequest(_message.Message):
    __slots__ = ("contract_id", "method", "args", "fuel_limit")
    CONTRACT_ID_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    ARGS_FIELD_NUMBER: _ClassVar[int]
    FUEL_LIMIT_FIELD_NUMBER: _ClassVar[int]
    contract_id: str
    method: str
    args: bytes
    fuel_limit: int
    def __init__(self, contract_id: _Optional[str] = ..., method: _Optional[str] = ..., args: _Optional[bytes] = ..., fuel_limit: _Optional[int] = ...) -> None: ...

class QueryContractResponse(_message.Message):
    __slots__ = ("output", "fuel_used", "height")
    OUTPUT_FIELD_NUMBER: _ClassVar[int]
    FUEL_USED_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    output: bytes
    fuel_used: int
    height: int
    def __init__(self, output: _Optional[bytes] = ..., fuel_used: _Optional[int] = ..., height: _Optional[int] = ...) -> None: ...

class StreamContractEventsRequest(_message.Message):
    __slots__ = ("contract_id",)
    CONTRACT_ID_FIELD_NUMBER: _ClassVar[int]
    contract_id: str
    def __init__(self, contract_id: _Optional[str] = ...) -> None: ...

class ContractEvent(_message.Message):
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
