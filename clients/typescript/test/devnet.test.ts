// Integration test against a real devnet started from $YUI_BIN_DIR
// (default ${CARGO_TARGET_DIR:-target}/debug): every value operation built,
// signed and submitted by this client; receipts and balances read over the
// API; certificates and a balance proof checked; Prepare cross-checked; a
// refused transaction's status code. The devnet is always stopped at the end.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { status as grpcStatus } from "@grpc/grpc-js";
import { Client, TxFailed, type Msg, type Receipt } from "../src/client.js";
import { LightClient, LightClientError } from "../src/light.js";
import { genesisHash, headerHash, txRoot } from "../src/chain.js";
import { loadKeyFile, type Keypair } from "../src/keys.js";
import { operationJson, ops } from "../src/ops.js";
import { buildTx, encodeTx, signTxBytes, SignedTransaction, Expiry } from "../src/tx.js";
import { equal, hex } from "../src/bytes.js";
import { REPO } from "./util.js";

const target = process.env.CARGO_TARGET_DIR ?? "target";
const BIN_DIR = process.env.YUI_BIN_DIR ?? path.join(path.resolve(REPO, target), "debug");
const DEVNET = path.join(BIN_DIR, "yui-devnet");
const PEOPLE = ["city", "chamber", "hana", "taro", "sakura-bakery", "aeon-mall", "auditor"] as const;

let dir = "";
let started = false;
let c: Client;
let k: Record<(typeof PEOPLE)[number], Keypair>;
let genesis: any;

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once("error", () => resolve(false));
    s.listen({ port, host: "127.0.0.1", exclusive: true }, () => s.close(() => resolve(true)));
  });
}

/** A first gRPC port p with p..p+5 and the libp2p ports p+20000..p+20005 free on 127.0.0.1. */
async function freePort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const p = 21000 + Math.floor(Math.random() * 20000);
    const ports = [0, 1, 2, 3, 4, 5].flatMap((d) => [p + d, p + 20000 + d]);
    let ok = true;
    for (const q of ports) if (!(await portFree(q))) { ok = false; break; }
    if (ok) return p;
  }
  throw new Error("no free ports");
}

function down(): void {
  if (started) spawnSync(DEVNET, ["--dir", dir, "down"], { stdio: "ignore", timeout: 30_000 });
  started = false;
}

before(async () => {
  assert.ok(existsSync(DEVNET), `no ${DEVNET}: build the binaries or set YUI_BIN_DIR`);
  dir = mkdtempSync(path.join(os.tmpdir(), "yui-ts-devnet-"));
  const port = await freePort();
  started = true;
  const up = spawnSync(DEVNET, ["--dir", dir, "up", "--no-story", "--port", String(port)], { encoding: "utf8", timeout: 120_000 });
  if (up.status !== 0) throw new Error(`yui-devnet up failed (${up.status}): ${up.stdout}\n${up.stderr}`);
  k = Object.fromEntries(PEOPLE.map((n) => [n, loadKeyFile(path.join(dir, "keys", `${n}.json`))])) as typeof k;
  genesis = JSON.parse(readFileSync(path.join(dir, "nodes", "city", "genesis.json"), "utf8"));
  // The nodes may need a moment to answer and to commit the first block.
  for (let i = 0; ; i++) {
    try {
      c = await Client.connect(`127.0.0.1:${port}`);
      if (BigInt((await c.status()).height) >= 1n) break;
    } catch (e) {
      if (i > 100) throw e;
    }
    c?.close();
    await new Promise((r) => setTimeout(r, 200));
  }
});

after(() => {
  c?.close();
  down();
  if (dir) rmSync(dir, { recursive: true, force: true });
});
for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => { down(); process.exit(130); });
process.once("exit", down);

const kinds = (r: Receipt) => r.events.map((e) => `${e.kind}:${e.asset}:${e.amount}`);
const bal = async (who: Keypair, asset: string) => (await c.balances(who))[asset] ?? 0n;

test("every value operation, with receipts and balances", async () => {
  const { city, hana, taro } = k;
  const bakery = k["sakura-bakery"], mall = k["aeon-mall"];
  assert.equal(c.chainId, genesis.chain_id);
  const campaign = genesis.campaigns[0];
  assert.equal(campaign.charge_asset, "coin");

  // Charge with the welcome campaign: coins, and a bonus of rate_bps.
  let r = await c.send(city, ops.charge(hana.address, "coin", 10_000, "bank-ts-1", campaign.id));
  const bonus = BigInt(Math.min((10_000 * campaign.rate_bps) / 10_000, campaign.budget_remaining));
  assert.deepEqual(kinds(r), ["minted:coin:10000", `minted:${campaign.bonus_asset}:${bonus}`]);
  assert.ok(equal(r.signer, city.address));
  let hb = await c.balances(hana);
  assert.equal(hb.coin, 10_000n);
  assert.equal(hb[campaign.bonus_asset], bonus);

  // Charge without a campaign.
  r = await c.send(city, ops.charge(taro.address, "coin", 5_000, "bank-ts-2"));
  assert.deepEqual(kinds(r), ["minted:coin:5000"]);
  assert.equal(await bal(taro, "coin"), 5_000n);

  // Grant points for volunteering.
  r = await c.send(city, ops.grant(hana.address, "point", 300, "清掃ボランティア"));
  assert.deepEqual(kinds(r), ["minted:point:300"]);
  assert.equal(r.events[0]!.reference, "清掃ボランティア");
  const hanaPoints = bonus + 300n;
  assert.equal(await bal(hana, "point"), hanaPoints);

  // Transfer coins to a neighbour.
  r = await c.send(hana, ops.transfer(taro.address, "coin", 1_000));
  assert.deepEqual(kinds(r), ["transferred:coin:1000"]);
  assert.ok(equal(r.events[0]!.from, hana.address) && equal(r.events[0]!.to, taro.address));
  assert.equal(await bal(hana, "coin"), 9_000n);
  assert.equal(await bal(taro, "coin"), 6_000n);

  // Pay the bakery by the assets' priority: points (priority 5) first, then coins.
  r = await c.send(hana, ops.pay(bakery.address, "SB-TS-1", 1_000));
  assert.equal(r.events[0]!.kind, "paid");
  assert.equal(r.events[0]!.reference, "SB-TS-1");
  const parts = Object.fromEntries(r.events[0]!.parts.map((p: any) => [p.asset, BigInt(p.amount)]));
  assert.deepEqual(parts, { point: hanaPoints, coin: 1_000n - hanaPoints });
  hb = await c.balances(hana);
  assert.equal(hb.point ?? 0n, 0n);
  assert.equal(hb.coin, 9_000n - (1_000n - hanaPoints));
  let bb = await c.balances(bakery);
  assert.equal(bb.point, hanaPoints);
  assert.equal(bb.coin, 1_000n - hanaPoints);

  // Pay naming the asset.
  r = await c.send(taro, ops.pay(mall.address, "AEON-TS-1", 700, ["coin"]));
  assert.deepEqual(r.events[0]!.parts.map((p: any) => `${p.asset}:${p.amount}`), ["coin:700"]);
  assert.equal(await bal(mall, "coin"), 700n);

  // A partial refund, last-drawn asset first (coins).
  r = await c.send(bakery, ops.refund("SB-TS-1", 200));
  assert.equal(r.events[0]!.kind, "refunded");
  assert.deepEqual(r.events[0]!.parts.map((p: any) => `${p.asset}:${p.amount}`), ["coin:200"]);
  assert.equal(await bal(hana, "coin"), 9_000n - (1_000n - hanaPoints) + 200n);
  bb = await c.balances(bakery);
  assert.equal(bb.coin, 1_000n - hanaPoints - 200n);

  // The bakery redeems coins for yen, with the asset's fee.
  const coin = (await c.listAssets()).assets.find((a: any) => a.id === "coin");
  const fee = (300n * BigInt(coin.redeem_fee_bps)) / 10_000n;
  const supplyBefore = BigInt(coin.burned);
  r = await c.send(bakery, ops.redeem("coin", 300, "payout-ts-1"));
  const redeemed = r.events.find((e) => e.kind === "redeemed");
  assert.ok(redeemed, JSON.stringify(kinds(r)));
  assert.equal(redeemed.fee, String(fee));
  assert.equal(redeemed.reference, "payout-ts-1");
  assert.equal(await bal(bakery, "coin"), bb.coin! - 300n);
  const coinAfter = (await c.listAssets()).assets.find((a: any) => a.id === "coin");
  assert.equal(BigInt(coinAfter.burned) - supplyBefore, 300n - fee);

  // Burn coins.
  const hanaCoin = await bal(hana, "coin");
  r = await c.send(hana, ops.burn("coin", 100));
  assert.deepEqual(kinds(r), ["burned:coin:100"]);
  assert.equal(await bal(hana, "coin"), hanaCoin - 100n);

  // An operation that fails in its block: paying an invoice twice.
  await assert.rejects(c.send(taro, ops.pay(mall.address, "AEON-TS-1", 10, ["coin"])), (e: unknown) => {
    // Refused at admission by the dry run, or committed with a failed receipt.
    return e instanceof TxFailed || (typeof (e as any).code === "number" && (e as any).code === grpcStatus.ALREADY_EXISTS);
  });
});

test("Prepare: the node's bytes equal the client's own, then sign and submit", async () => {
  const { hana, taro } = k;
  const bakery = k["sakura-bakery"];
  // Typed fields, next nonce, default expiry.
  const before = await bal(taro, "coin");
  let { receipt, prepared } = await c.sendPrepared(
    hana,
    { signer: hana.address, next_nonce: true, transfer: { to: taro.address, asset: "coin", amount: 250 } },
    ops.transfer(taro.address, "coin", 250),
  );
  assert.deepEqual(kinds(receipt), ["transferred:coin:250"]);
  assert.equal(await bal(taro, "coin"), before + 250n);
  assert.deepEqual(JSON.parse(prepared.operation_json), { op: "transfer", to: hex(taro.address), asset: "coin", amount: 250 });

  // A payment with an explicit nonce and a time expiry.
  const nonce = await c.nextNonce(hana);
  const expiry = BigInt(Date.now() + 60_000);
  ({ receipt, prepared } = await c.sendPrepared(
    hana,
    { signer: hana.address, nonce, expire_at_time_ms: expiry, pay: { merchant: bakery.address, invoice_id: "SB-TS-2", amount: 120, assets: ["coin"] } },
    ops.pay(bakery.address, "SB-TS-2", 120, ["coin"]),
  ));
  assert.equal(prepared.nonce, String(nonce));
  assert.equal(prepared.expire_at_time_ms, String(expiry));
  assert.equal(receipt.events[0]!.kind, "paid");

  // The JSON form, and a charge without campaign (empty string = none).
  const op = ops.charge(taro.address, "coin", 42, "bank-ts-3");
  ({ receipt } = await c.sendPrepared(k.city, { signer: k.city.address, next_nonce: true, operation_json: operationJson(op) }, op));
  assert.deepEqual(kinds(receipt), ["minted:coin:42"]);
  const ch = ops.charge(taro.address, "coin", 43, "bank-ts-4");
  ({ receipt } = await c.sendPrepared(
    k.city,
    { signer: k.city.address, next_nonce: true, charge: { to: taro.address, asset: "coin", amount: 43, deposit_ref: "bank-ts-4", campaign: "" } },
    ch,
  ));
  assert.deepEqual(kinds(receipt), ["minted:coin:43"]);
});

test("certificates: blocks verified from a trusted genesis hash, chain linked, tx root from an auditor's read", async () => {
  const trusted = genesisHash(genesis); // from the file on disk, not from the node
  assert.ok(equal((await c.status()).genesis_hash, trusted));
  const light = new LightClient(c, trusted);
  await light.init();

  const r = await c.send(k.city, ops.grant(k.taro.address, "point", 5, "ts light client"));
  const vb = await light.verifiedBlock(BigInt(r.height));
  assert.ok(vb.signedPower * 3n > 2n * BigInt(genesis.validators.length));

  // Block 1 links to genesis; block h links to h − 1.
  const b1 = await light.verifiedBlock(1);
  assert.ok(equal(b1.header.prev_hash as Uint8Array, trusted));
  const prev = await light.verifiedBlock(BigInt(r.height) - 1n);
  assert.ok(equal(vb.header.prev_hash as Uint8Array, prev.hash));

  // The auditor's chain-wide read returns the transactions: their hashes give the header's tx root.
  const full = await c.block({ height: BigInt(r.height), auth: c.auth(k.auditor, new Uint8Array(32)) });
  assert.ok(full.txs.length >= 1);
  const hashes = full.txs.map((t: any) => SignedTransaction.fromBytes(t.raw).hash);
  assert.ok(hashes.some((h: Uint8Array) => equal(h, r.tx_hash)));
  assert.ok(equal(txRoot(hashes), vb.header.tx_root as Uint8Array));

  // A tampered certificate or header is refused.
  const msg = await c.block({ height: BigInt(r.height) });
  const raw = Buffer.from(msg.raw_certificate);
  raw[raw.length - 1]! ^= 1;
  await assert.rejects(light.verifyBlockMessage({ ...msg, raw_certificate: raw, certificate: null }), LightClientError);
  await assert.rejects(light.verifyBlockMessage({ ...msg, header: { ...msg.header, time_ms: String(BigInt(msg.header.time_ms) + 1n) } }), LightClientError);
  const h = { ...msg.header, state_root: Buffer.alloc(32, 7) };
  await assert.rejects(light.verifyBlockMessage({ ...msg, header: { ...h, hash: Buffer.from(headerHash({ ...h, height: BigInt(h.height), time_ms: BigInt(h.time_ms) })) } }), LightClientError);
});

test("a balance proved with GetProof against a certified state root", async () => {
  const light = new LightClient(c, genesisHash(genesis));
  const { hana } = k;
  const proved = await light.verifiedBalance(hana, "coin");
  const acct = await c.account(hana);
  // No transaction of Hana's is in flight, so the balance is the same at both heights.
  assert.equal(proved.balance, BigInt(acct.balances.find((b: any) => b.asset === "coin").total));
  assert.ok(proved.balance > 0n);
  assert.ok(proved.holding!.lots.length >= 1);
  // An absent holding is proved absent (zero).
  const none = await light.verifiedBalance(k.chamber, "voucher");
  assert.equal(none.balance, 0n);
  assert.equal(none.holding, null);
});

test("refusals carry the documented status codes", async () => {
  const { hana, taro } = k;
  const nonce = await c.nextNonce(hana);
  const good = buildTx(hana, c.chainId, nonce, Expiry.inMs(60_000), ops.transfer(taro.address, "coin", 1));
  const sig = Uint8Array.from(good.signature);
  sig[5]! ^= 0x40;
  await assert.rejects(c.submit(new SignedTransaction(good.txBytes, sig)), (e: any) => e.code === grpcStatus.UNAUTHENTICATED);
  // Signed by another key than the signer it names.
  const forged = signTxBytes(taro, good.txBytes);
  await assert.rejects(c.submit(forged), (e: any) => e.code === grpcStatus.UNAUTHENTICATED);
  // Another chain id.
  const other = buildTx(hana, "not-" + c.chainId, nonce, Expiry.inMs(60_000), ops.transfer(taro.address, "coin", 1));
  await assert.rejects(c.submit(other), (e: any) => e.code === grpcStatus.UNAUTHENTICATED);
  // Undecodable bytes.
  await assert.rejects(c.submit(Uint8Array.of(1, 2, 3)), (e: any) => e.code === grpcStatus.INVALID_ARGUMENT);
  // An expiry already past.
  const head = BigInt((await c.status()).height);
  const stale = buildTx(hana, c.chainId, nonce, Expiry.height(head), ops.transfer(taro.address, "coin", 1));
  await assert.rejects(c.submit(stale), (e: any) => e.code === grpcStatus.FAILED_PRECONDITION);
  // A used nonce.
  const used = buildTx(hana, c.chainId, nonce - 1n, Expiry.inMs(60_000), ops.transfer(taro.address, "coin", 1));
  await assert.rejects(c.submit(used), (e: any) => e.code === grpcStatus.ALREADY_EXISTS);
  // The good one still goes through: nothing above used its nonce.
  const r = await c.submitSigned(good);
  assert.deepEqual(kinds(r), ["transferred:coin:1"]);
  // A read authorisation for someone else's account.
  await assert.rejects(c.account(taro.address, hana), (e: any) => e.code === grpcStatus.PERMISSION_DENIED);
  assert.equal(hex(encodeTx(good.tx)), hex(good.txBytes));
});

test("a payout run over one SubmitStream: each transaction answered with its own status", async () => {
  const { city, hana, taro } = k;
  const nonce = await c.nextNonce(city);
  const runs = [hana, taro, hana].map((who, i) =>
    buildTx(city, c.chainId, nonce + BigInt(i), Expiry.inMs(60_000), ops.charge(who.address, "coin", 7n, `payout-ts-${i}`)),
  );
  const sig = Uint8Array.from(runs[2]!.signature);
  sig[5]! ^= 0x40;
  const before = (await c.balances(taro))["coin"] ?? 0n;
  const answers = await c.submitStream([runs[0]!, runs[1]!, Uint8Array.of(1, 2, 3), new SignedTransaction(runs[2]!.txBytes, sig)]);
  assert.deepEqual(
    answers.map((a) => a.code),
    [grpcStatus.OK, grpcStatus.OK, grpcStatus.INVALID_ARGUMENT, grpcStatus.UNAUTHENTICATED],
  );
  for (const [i, a] of answers.slice(0, 2).entries()) {
    assert.ok(a.response!.committed && a.response!.receipt.success);
    assert.equal(hex(a.response!.tx_hash), hex(runs[i]!.hash));
  }
  assert.match(answers[3]!.message, /signature/);
  assert.equal((await c.balances(taro))["coin"], before + 7n);
});

test("the town's aggregates: open to anyone, k-safe, k below the floor refused", async () => {
  // A validator keeps no aggregates on the devnet: the observer serves them.
  await assert.rejects(c.figures(), (e: any) => e.code === grpcStatus.UNAVAILABLE);
  const config = readFileSync(path.join(dir, "nodes", "observer", "config.toml"), "utf8");
  const listen = /^\[api\]\n(?:#.*\n)*listen = "([^"]+)"/m.exec(config)?.[1];
  assert.ok(listen, "the observer's gRPC address in its config");
  const o = await Client.connect(listen);
  try {
    await expectKSafeFigures(o);
  } finally {
    o.close();
  }
});

// The observer's figures: k-safe, withheld below k, k below the floor refused.
async function expectKSafeFigures(o: Client): Promise<void> {
  const r = await o.figures();
  assert.equal(r.k, 10);
  assert.ok(BigInt(r.height) > 0n);
  assert.equal(r.time_zone, "Asia/Tokyo");
  assert.ok(r.figures.length > 0);
  // A devnet of a few residents: most figures describe fewer than k = 10.
  const withheld = r.figures.filter((f: Msg) => f.withheld_reason !== "");
  assert.ok(withheld.length > 0);
  for (const f of withheld) assert.notEqual(f.withheld, "WITHHELD_NONE");
  for (const f of r.figures) assert.equal(f.withheld === "WITHHELD_NONE", f.withheld_reason === "");
  await assert.rejects(o.figures({ k: 3 }), (e: any) => e.code === grpcStatus.INVALID_ARGUMENT);
  const coin = await o.figures({ period: "PERIOD_DAY", asset: "coin" });
  assert.ok(coin.flows.every((cell: Msg) => cell.asset === "coin"));
}
