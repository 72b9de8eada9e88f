// The gRPC API (proto/yui/v1/*.proto), loaded at run time with @grpc/proto-loader
// from dist/proto (copied from the repository's proto/ by the build).
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { equal, hex, toBytes } from "./bytes.js";
import { readAuth, type ReadAuth } from "./auth.js";
import type { Keypair } from "./keys.js";
import { encodeTx, signTxBytes, SignedTransaction, type Expiry } from "./tx.js";
import type { Operation } from "./ops.js";

export const PROTO_DIR = fileURLToPath(new URL("../proto/", import.meta.url));

// Messages as proto-loader gives them: snake_case fields, bytes as Buffer,
// 64-bit integers as decimal strings, defaults filled in.
export type Msg = { [k: string]: any };

export interface Receipt {
  tx_hash: Buffer;
  signer: Buffer;
  height: string;
  index: number;
  success: boolean;
  error: string;
  events: Msg[];
}

export interface PrepareRequest {
  signer: Uint8Array;
  nonce?: bigint | number | string;
  next_nonce?: boolean;
  expire_at_height?: bigint | number | string;
  expire_at_time_ms?: bigint | number | string;
  charge?: Msg;
  grant?: Msg;
  transfer?: Msg;
  pay?: Msg;
  refund?: Msg;
  redeem?: Msg;
  burn?: Msg;
  operation_json?: string;
}

/** A transaction that was committed but whose operation failed in its block. */
export class TxFailed extends Error {
  constructor(readonly receipt: Receipt) {
    super(`transaction ${receipt.tx_hash.toString("hex")} failed at height ${receipt.height}: ${receipt.error}`);
  }
}

let services: grpc.GrpcObject | undefined;

function loadServices(): grpc.GrpcObject {
  if (!services) {
    const def = protoLoader.loadSync(["yui/v1/api.proto", "yui/v1/contracts.proto", "yui/v1/analytics.proto"], {
      includeDirs: [PROTO_DIR],
      keepCase: true,
      longs: String,
      enums: String,
      defaults: true,
      oneofs: true,
    });
    services = grpc.loadPackageDefinition(def);
  }
  return services;
}

function u64str(v: bigint | number | string | undefined): string | undefined {
  return v === undefined ? undefined : BigInt(v).toString();
}

/** One transaction's answer on a `SubmitStream`. */
export interface StreamAnswer {
  /** The gRPC status code `submit` would have given (0: OK). */
  code: number;
  message: string;
  /** The `SubmitResponse`, when the code is 0. */
  response?: Msg;
}

/** Pauses (ms) before sending a transaction again after RESOURCE_EXHAUSTED. */
export const RETRY_PAUSES_MS: readonly number[] = [500, 1_000, 2_000, 4_000];

export interface ClientOptions {
  /** Deadline of each unary call, ms (default 30,000; Submit adds its wait). */
  deadlineMs?: number;
  /** Pauses before each retry of a submission refused with RESOURCE_EXHAUSTED (default `RETRY_PAUSES_MS`). */
  retryPausesMs?: readonly number[];
}

export class Client {
  private readonly stubs: Record<string, grpc.Client> = {};
  private readonly deadlineMs: number;
  private readonly retryPausesMs: readonly number[];
  chainId = "";

  constructor(readonly target: string, opts: ClientOptions = {}) {
    this.deadlineMs = opts.deadlineMs ?? 30_000;
    this.retryPausesMs = opts.retryPausesMs ?? RETRY_PAUSES_MS;
    const pkg = (loadServices().yui as grpc.GrpcObject).v1 as grpc.GrpcObject;
    const creds = grpc.credentials.createInsecure();
    for (const name of ["Transactions", "Accounts", "Assets", "Chain", "Governance", "Analytics"]) {
      const Ctor = pkg[name] as grpc.ServiceClientConstructor;
      this.stubs[name] = new Ctor(target, creds);
    }
  }

  /** Connects and reads the chain id from the node. */
  static async connect(target: string, opts: ClientOptions = {}): Promise<Client> {
    const c = new Client(target, opts);
    c.chainId = (await c.status()).chain_id;
    return c;
  }

  close(): void {
    for (const s of Object.values(this.stubs)) s.close();
  }

  /** One unary call, as a promise; rejects with the grpc-js `ServiceError` (its `code` is the status). */
  call<T = Msg>(service: string, method: string, req: Msg, extraMs = 0): Promise<T> {
    const stub = this.stubs[service] as unknown as Record<string, Function>;
    if (!stub || typeof stub[method] !== "function") throw new Error(`no method ${service}.${method}`);
    const deadline = new Date(Date.now() + this.deadlineMs + extraMs);
    return new Promise<T>((resolve, reject) => {
      stub[method]!.call(stub, req, { deadline }, (err: grpc.ServiceError | null, res: T) => (err ? reject(err) : resolve(res)));
    });
  }

  // ---- reads ---------------------------------------------------------

  status(): Promise<Msg> {
    return this.call("Chain", "GetStatus", {});
  }

  /**
   * The town's k-safe aggregates (`Analytics.Figures`, open to anyone): every
   * period's figures and flow cells; `k` 0 means the node's floor, less is
   * refused with INVALID_ARGUMENT. A withheld figure has a `withheld` code and
   * `withheld_reason`, never a value.
   */
  figures(opts: { period?: "PERIOD_DAY" | "PERIOD_WEEK" | "PERIOD_MONTH"; asset?: string; k?: number } = {}): Promise<Msg> {
    return this.call("Analytics", "Figures", { period: opts.period ?? "PERIOD_MONTH", asset: opts.asset ?? "", k: opts.k ?? 0 });
  }

  /** The genesis document (parsed JSON) and the hash the node gives for it. */
  async genesis(): Promise<{ json: Msg; text: string; hash: Buffer }> {
    const r = await this.call("Chain", "GetGenesis", {});
    return { json: JSON.parse(r.json), text: r.json, hash: r.hash };
  }

  /** A read authorisation by `reader` for `subject` (default: the reader's own account). */
  auth(reader: Keypair, subject: Uint8Array | string = reader.address): ReadAuth {
    return readAuth(reader, this.chainId, subject);
  }

  /** `Accounts.GetAccount`, signed by the holder (or by `reader`, an auditor). */
  account(holder: Keypair | Uint8Array, reader?: Keypair): Promise<Msg> {
    const address = holder instanceof Uint8Array ? holder : holder.address;
    const by = reader ?? (holder instanceof Uint8Array ? undefined : holder);
    if (!by) throw new Error("account: a reader key is needed");
    return this.call("Accounts", "GetAccount", { address, auth: this.auth(by, address) });
  }

  /** Balances per asset as bigints. */
  async balances(holder: Keypair | Uint8Array, reader?: Keypair): Promise<Record<string, bigint>> {
    const a = await this.account(holder, reader);
    return Object.fromEntries((a.balances as Msg[]).map((b) => [b.asset, BigInt(b.total)]));
  }

  /** The nonce the account's next transaction must carry (committed state). */
  async nextNonce(key: Keypair): Promise<bigint> {
    return BigInt((await this.account(key)).nonce);
  }

  listAssets(): Promise<Msg> {
    return this.call("Assets", "ListAssets", {});
  }

  governance(): Promise<Msg> {
    return this.call("Governance", "GetGovernance", {});
  }

  block(q: { height?: bigint | number; hash?: Uint8Array; auth?: ReadAuth }): Promise<Msg> {
    return this.call("Chain", "GetBlock", { height: u64str(q.height ?? 0), hash: q.hash ?? Buffer.alloc(0), auth: q.auth });
  }

  latestBlock(auth?: ReadAuth): Promise<Msg> {
    return this.call("Chain", "GetLatestBlock", { auth });
  }

  proof(req: { kind: string; address?: Uint8Array; id?: string; auth?: ReadAuth; storage_key?: Uint8Array }): Promise<Msg> {
    return this.call("Chain", "GetProof", req);
  }

  transaction(hash: Uint8Array): Promise<Msg> {
    return this.call("Transactions", "GetTransaction", { tx_hash: hash });
  }

  // ---- writes --------------------------------------------------------

  /** `Transactions.Submit`; with `wait`, the response carries the receipt once committed. */
  submit(tx: SignedTransaction | Uint8Array, opts: { wait?: boolean; timeoutMs?: number } = {}): Promise<Msg> {
    const bytes = tx instanceof SignedTransaction ? tx.bytes : tx;
    const wait = opts.wait ?? true;
    const timeout = opts.timeoutMs ?? 20_000;
    return this.call("Transactions", "Submit", { tx: bytes, wait_for_commit: wait, wait_timeout_ms: wait ? timeout : 0 }, wait ? timeout : 0);
  }

  /**
   * `Transactions.SubmitStream`: many signed transactions over one stream
   * (a till server, a month's payout of volunteer points). Resolves to one
   * `{ code, message, response }` per transaction, in the order given:
   * `code` is the status `submit` would have given it (0: OK) and
   * `response` the `SubmitResponse` when OK. Rejects with the grpc-js
   * `ServiceError` if the stream itself ends with a status (an unreadable
   * message).
   */
  submitStream(
    txs: (SignedTransaction | Uint8Array)[],
    opts: { wait?: boolean; timeoutMs?: number } = {},
  ): Promise<StreamAnswer[]> {
    const wait = opts.wait ?? true;
    const timeout = opts.timeoutMs ?? 20_000;
    const stub = this.stubs["Transactions"] as unknown as Record<string, Function>;
    const deadline = new Date(Date.now() + this.deadlineMs + (wait ? timeout : 0));
    return new Promise((resolve, reject) => {
      const out: (StreamAnswer | undefined)[] = new Array(txs.length).fill(undefined);
      const call = stub["SubmitStream"]!.call(stub, { deadline }) as grpc.ClientDuplexStream<Msg, Msg>;
      call.on("data", (a: Msg) => {
        out[Number(a.seq)] = { code: a.code, message: a.message, response: a.code === 0 ? a.response : undefined };
      });
      call.on("error", reject);
      call.on("end", () => {
        if (out.every((a) => a !== undefined)) resolve(out as StreamAnswer[]);
        else reject(new Error("the node ended the stream before answering every transaction"));
      });
      for (const tx of txs) {
        const bytes = tx instanceof SignedTransaction ? tx.bytes : tx;
        call.write({ tx: bytes, wait_for_commit: wait, wait_timeout_ms: wait ? timeout : 0 });
      }
      call.end();
    });
  }

  /**
   * `submit`, sending the same bytes again after each pause of
   * `retryPausesMs` while the node answers RESOURCE_EXHAUSTED (it is
   * overloaded or the chain is behind: docs/encoding.md). Any other refusal,
   * or the last RESOURCE_EXHAUSTED, is thrown.
   */
  async submitRetrying(tx: SignedTransaction | Uint8Array, opts: { wait?: boolean; timeoutMs?: number } = {}): Promise<Msg> {
    for (const pause of [...this.retryPausesMs, undefined]) {
      try {
        return await this.submit(tx, opts);
      } catch (e) {
        if (pause === undefined || (e as grpc.ServiceError).code !== grpc.status.RESOURCE_EXHAUSTED) throw e;
        await new Promise((r) => setTimeout(r, pause));
      }
    }
    throw new Error("unreachable");
  }

  /**
   * Signs `op` with `key` (next nonce from the node unless given; a time
   * expiry one minute ahead unless given), submits it and waits for the
   * commit, sending it again while the node answers RESOURCE_EXHAUSTED
   * (`submitRetrying`). Returns the receipt; throws `TxFailed` if the
   * operation failed in its block, or the gRPC error if the node refused the
   * transaction.
   */
  async send(key: Keypair, op: Operation, opts: { nonce?: bigint; expiry?: Expiry } = {}): Promise<Receipt> {
    const nonce = opts.nonce ?? (await this.nextNonce(key));
    const expiry = opts.expiry ?? { kind: "time", value: BigInt(Date.now() + 60_000) };
    const txBytes = encodeTx({ chain_id: this.chainId, signer: key.address, nonce, expiry, op });
    return this.submitSigned(signTxBytes(key, txBytes));
  }

  async submitSigned(signed: SignedTransaction): Promise<Receipt> {
    const r = await this.submitRetrying(signed);
    if (!equal(r.tx_hash, signed.hash)) throw new Error(`node reports hash ${hex(r.tx_hash)}, expected ${signed.hashHex}`);
    if (!r.committed || !r.receipt) throw new Error(`transaction ${signed.hashHex} not committed in time`);
    const receipt = r.receipt as Receipt;
    if (!receipt.success) throw new TxFailed(receipt);
    return receipt;
  }

  /** `Transactions.Prepare`: the node encodes the transaction from its fields. */
  prepare(req: PrepareRequest): Promise<Msg> {
    return this.call("Transactions", "Prepare", {
      ...req,
      nonce: u64str(req.nonce),
      expire_at_height: u64str(req.expire_at_height),
      expire_at_time_ms: u64str(req.expire_at_time_ms),
    });
  }

  /**
   * Prepare, then check that the node's bytes are exactly the client's own
   * encoding of `op` with the nonce, chain and expiry the node filled in, and
   * that `sign_bytes` is the domain tag over them; sign and submit.
   */
  async sendPrepared(key: Keypair, req: PrepareRequest, op: Operation): Promise<{ receipt: Receipt; prepared: Msg }> {
    if (!equal(toBytes(req.signer), key.address)) throw new Error("Prepare's signer is not the key");
    const prepared = await this.prepare(req);
    const expiry: Expiry = BigInt(prepared.expire_at_time_ms) > 0n
      ? { kind: "time", value: BigInt(prepared.expire_at_time_ms) }
      : { kind: "height", value: BigInt(prepared.expire_at_height) };
    const own = encodeTx({ chain_id: prepared.chain_id, signer: key.address, nonce: BigInt(prepared.nonce), expiry, op });
    if (prepared.chain_id !== this.chainId) throw new Error(`Prepare answered for chain ${prepared.chain_id}`);
    if (!equal(prepared.tx_bytes, own)) throw new Error(`Prepare's tx_bytes differ from the client's: ${hex(prepared.tx_bytes)} vs ${hex(own)}`);
    const signed = signTxBytes(key, prepared.tx_bytes);
    if (!equal(prepared.sign_bytes, signed.signBytes)) throw new Error("Prepare's sign_bytes are not the domain tag over tx_bytes");
    return { receipt: await this.submitSigned(signed), prepared };
  }
}
