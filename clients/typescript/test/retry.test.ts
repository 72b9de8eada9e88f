// A wallet told RESOURCE_EXHAUSTED sends the same bytes again after a pause.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as grpc from "@grpc/grpc-js";
import { Client } from "../src/client.js";

/** A client whose node answers the given status codes in turn, then takes the transaction. */
function refusing(codes: grpc.status[], pauses: number[]): { c: Client; sent: Uint8Array[] } {
  const c = new Client("127.0.0.1:1", { retryPausesMs: pauses });
  const sent: Uint8Array[] = [];
  const left = [...codes];
  c.submit = async (tx) => {
    sent.push(tx as Uint8Array);
    const code = left.shift();
    if (code !== undefined) throw Object.assign(new Error(`refused ${code}`), { code });
    return { committed: true };
  };
  return { c, sent };
}

test("RESOURCE_EXHAUSTED is retried with the same bytes until the node takes it", async () => {
  const tx = new Uint8Array([1, 2, 3]);
  const { c, sent } = refusing([grpc.status.RESOURCE_EXHAUSTED, grpc.status.RESOURCE_EXHAUSTED], [1, 2]);
  assert.deepEqual(await c.submitRetrying(tx), { committed: true });
  assert.deepEqual(sent, [tx, tx, tx]);
  c.close();
});

test("other refusals are thrown at once", async () => {
  const { c, sent } = refusing([grpc.status.FAILED_PRECONDITION], [1, 2]);
  await assert.rejects(c.submitRetrying(new Uint8Array([9])), (e: grpc.ServiceError) => e.code === grpc.status.FAILED_PRECONDITION);
  assert.equal(sent.length, 1);
  c.close();
});

test("a node that stays overloaded is reported after the last pause", async () => {
  const { c, sent } = refusing(Array(3).fill(grpc.status.RESOURCE_EXHAUSTED), [1, 2]);
  await assert.rejects(c.submitRetrying(new Uint8Array([9])), (e: grpc.ServiceError) => e.code === grpc.status.RESOURCE_EXHAUSTED);
  assert.equal(sent.length, 3);
  c.close();
});
