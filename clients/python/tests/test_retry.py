"""A wallet told RESOURCE_EXHAUSTED sends the same bytes again after a pause."""

import grpc
import pytest

from yui_client import client as client_mod
from yui_client.client import Client


class Refusal(grpc.RpcError):
    def __init__(self, code):
        super().__init__()
        self._code = code

    def code(self):
        return self._code


class Transactions:
    """Answers the given refusals in turn, then accepts."""

    def __init__(self, refusals):
        self.refusals = list(refusals)
        self.sent = []

    def Submit(self, req, timeout=None):
        self.sent.append(req.tx)
        if self.refusals:
            raise Refusal(self.refusals.pop(0))
        return "taken"


def client(monkeypatch, refusals):
    pauses = []
    monkeypatch.setattr(client_mod.time, "sleep", pauses.append)
    c = Client("127.0.0.1:1", chain_id="test")
    c.transactions = Transactions(refusals)
    return c, pauses


def test_resource_exhausted_is_retried_with_the_same_bytes_after_growing_pauses(monkeypatch):
    c, pauses = client(monkeypatch, [grpc.StatusCode.RESOURCE_EXHAUSTED] * 2)
    assert c.submit_retrying(b"signed bytes") == "taken"
    assert c.transactions.sent == [b"signed bytes"] * 3
    assert pauses == [0.5, 1.0]


def test_other_refusals_are_not_retried(monkeypatch):
    c, pauses = client(monkeypatch, [grpc.StatusCode.FAILED_PRECONDITION])
    with pytest.raises(grpc.RpcError) as e:
        c.submit_retrying(b"tx")
    assert e.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert pauses == [] and len(c.transactions.sent) == 1


def test_a_node_that_stays_overloaded_is_reported_after_the_last_pause(monkeypatch):
    n = len(client_mod.RETRY_PAUSES_S) + 1
    c, pauses = client(monkeypatch, [grpc.StatusCode.RESOURCE_EXHAUSTED] * n)
    with pytest.raises(grpc.RpcError) as e:
        c.submit_retrying(b"tx")
    assert e.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert pauses == list(client_mod.RETRY_PAUSES_S)
    assert len(c.transactions.sent) == n
