from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Period(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PERIOD_UNSPECIFIED: _ClassVar[Period]
    PERIOD_DAY: _ClassVar[Period]
    PERIOD_WEEK: _ClassVar[Period]
    PERIOD_MONTH: _ClassVar[Period]

class Withheld(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    WITHHELD_NONE: _ClassVar[Withheld]
    WITHHELD_FEWER_THAN_K_ACCOUNTS: _ClassVar[Withheld]
    WITHHELD_FEWER_THAN_K_MERCHANTS: _ClassVar[Withheld]
    WITHHELD_ONE_MERCHANT_DOMINATES: _ClassVar[Withheld]
    WITHHELD_ONE_ACCOUNT_DOMINATES: _ClassVar[Withheld]
    WITHHELD_FEWER_THAN_K_HOLDERS: _ClassVar[Withheld]
    WITHHELD_COMPLEMENT: _ClassVar[Withheld]
    WITHHELD_OTHER: _ClassVar[Withheld]
PERIOD_UNSPECIFIED: Period
PERIOD_DAY: Period
PERIOD_WEEK: Period
PERIOD_MONTH: Period
WITHHELD_NONE: Withheld
WITHHELD_FEWER_THAN_K_ACCOUNTS: Withheld
WITHHELD_FEWER_THAN_K_MERCHANTS: Withheld
WITHHELD_ONE_MERCHANT_DOMINATES: Withheld
WITHHELD_ONE_ACCOUNT_DOMINATES: Withheld
WITHHELD_FEWER_THAN_K_HOLDERS: Withheld
WITHHELD_COMPLEMENT: Withheld
WITHHELD_OTHER: Withheld

class FiguresRequest(_message.Message):
    __slots__ = ("period", "asset", "k")
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    ASSET_FIELD_NUMBER: _ClassVar[int]
    K_FIELD_NUMBER: _ClassVar[int]
    period: Period
    asset: str
    k: int
    def __init__(self, period: _Optional[_Union[Period, str]] = ..., asset: _Optional[str] = ..., k: _Optional[int] = ...) -> None: ...

class WatchFiguresRequest(_message.Message):
    __slots__ = ("period", "asset", "k")
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    ASSET_FIELD_NUMBER: _ClassVar[int]
    K_FIELD_NUMBER: _ClassVar[int]
    period: Period
    asset: str
    k: int
    def __init__(self, period: _Optional[_Union[Period, str]] = ..., asset: _Optional[str] = ..., k: _Optional[int] = ...) -> None: ...

class Figure(_message.Message):
    __slots__ = ("period", "subject", "metric", "value", "withheld", "withheld_reason")
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    METRIC_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    WITHHELD_FIELD_NUMBER: _ClassVar[int]
    WITHHELD_REASON_FIELD_NUMBER: _ClassVar[int]
    period: str
    subject: str
    metric: str
    value: int
    withheld: Withheld
    withheld_reason: str
    def __init__(self, period: _Optional[str] = ..., subject: _Optional[str] = ..., metric: _Optional[str] = ..., value: _Optional[int] = ..., withheld: _Optional[_Union[Withheld, str]] = ..., withheld_reason: _Optional[str] = ...) -> None: ...

class FlowCell(_message.Message):
    __slots__ = ("period", "asset", "to", "value", "accounts", "withheld", "withheld_reason")
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    ASSET_FIELD_NUMBER: _ClassVar[int]
    FROM_FIELD_NUMBER: _ClassVar[int]
    TO_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    ACCOUNTS_FIELD_NUMBER: _ClassVar[int]
    WITHHELD_FIELD_NUMBER: _ClassVar[int]
    WITHHELD_REASON_FIELD_NUMBER: _ClassVar[int]
    period: str
    asset: str
    to: str
    value: int
    accounts: int
    withheld: Withheld
    withheld_reason: str
    def __init__(self, period: _Optional[str] = ..., asset: _Optional[str] = ..., to: _Optional[str] = ..., value: _Optional[int] = ..., accounts: _Optional[int] = ..., withheld: _Optional[_Union[Withheld, str]] = ..., withheld_reason: _Optional[str] = ..., **kwargs) -> None: ...

class FiguresReply(_message.Message):
    __slots__ = ("height", "time_ms", "period", "k", "time_zone", "periods", "figures", "flows")
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    TIME_MS_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    K_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    PERIODS_FIELD_NUMBER: _ClassVar[int]
    FIGURES_FIELD_NUMBER: _ClassVar[int]
    FLOWS_FIELD_NUMBER: _ClassVar[int]
    height: int
    time_ms: int
    period: Period
    k: int
    time_zone: str
    periods: _containers.RepeatedScalarFieldContainer[str]
    figures: _containers.RepeatedCompositeFieldContainer[Figure]
    flows: _containers.RepeatedCompositeFieldContainer[FlowCell]
    def __init__(self, height: _Optional[int] = ..., time_ms: _Optional[int] = ..., period: _Optional[_Union[Period, str]] = ..., k: _Optional[int] = ..., time_zone: _Optional[str] = ..., periods: _Optional[_Iterable[str]] = ..., figures: _Optional[_Iterable[_Union[Figure, _Mapping]]] = ..., flows: _Optional[_Iterable[_Union[FlowCell, _Mapping]]] = ...) -> None: ...
