// Operations (docs/encoding.md §4) and governance actions with their nested
// types (§5), encoded from and decoded to their JSON form: an object tagged by
// "op" (and "action" for governance actions), as `yui submit` reads it.
// Addresses and hashes are hex strings or Uint8Arrays; u64 values are bigints,
// safe integers or decimal strings; `Vec<u8>` fields are hex.
import { Reader, Writer, type U64 } from "./borsh.js";
import { fromHex, hex, toBytes } from "./bytes.js";

export type Json = { [k: string]: unknown };
/** An operation in its JSON form, e.g. `{op: "transfer", to, asset, amount}`. */
export type Operation = { op: string } & Json;

type FieldType =
  | "addr"
  | "hash"
  | "str"
  | "u8"
  | "u32"
  | "u64"
  | "bool"
  | "opt_str"
  | "opt_u8"
  | "opt_u64"
  | "vec_str"
  | "hexbytes"
  | "pairs"
  | "gov"
  | "role"
  | "asset_class"
  | "contract_status";

type Variant = { name: string; fields: [string, FieldType][] };

/** `Operation` variants in declaration order: the index is the position. */
export const OPERATIONS: readonly Variant[] = [
  { name: "charge", fields: [["to", "addr"], ["asset", "str"], ["amount", "u64"], ["deposit_ref", "str"], ["campaign", "opt_str"]] },
  { name: "grant", fields: [["to", "addr"], ["asset", "str"], ["amount", "u64"], ["reason", "str"], ["event_id", "opt_str"]] },
  { name: "transfer", fields: [["to", "addr"], ["asset", "str"], ["amount", "u64"]] },
  { name: "pay", fields: [["merchant", "addr"], ["invoice_id", "str"], ["amount", "u64"], ["assets", "vec_str"]] },
  { name: "refund", fields: [["invoice_id", "str"], ["amount", "u64"]] },
  { name: "redeem", fields: [["asset", "str"], ["amount", "u64"], ["payout_ref", "str"]] },
  { name: "burn", fields: [["asset", "str"], ["amount", "u64"]] },
  {
    name: "post_job",
    fields: [["job_id", "str"], ["asset", "str"], ["reward", "u64"], ["coordinator", "addr"], ["accept_deadline_ms", "u64"], ["required_credential", "opt_str"], ["description_hash", "hash"]],
  },
  { name: "accept_job", fields: [["job_id", "str"]] },
  { name: "submit_job", fields: [["job_id", "str"], ["proof_hash", "hash"]] },
  { name: "approve_job", fields: [["job_id", "str"], ["rating", "opt_u8"]] },
  { name: "cancel_job", fields: [["job_id", "str"]] },
  { name: "consent_cancel", fields: [["job_id", "str"]] },
  { name: "dispute_job", fields: [["job_id", "str"], ["reason_hash", "hash"]] },
  { name: "resolve_job", fields: [["job_id", "str"], ["to_worker", "u64"]] },
  {
    name: "issue_credential",
    fields: [["credential_id", "str"], ["subject", "addr"], ["kind", "str"], ["valid_from_ms", "u64"], ["valid_until_ms", "u64"], ["claims_digest", "hash"]],
  },
  { name: "suspend_credential", fields: [["credential_id", "str"], ["reason", "str"]] },
  { name: "reinstate_credential", fields: [["credential_id", "str"]] },
  { name: "revoke_credential", fields: [["credential_id", "str"], ["reason", "str"]] },
  { name: "grant_consent", fields: [["party", "addr"], ["scope", "str"], ["expires_at_ms", "opt_u64"]] },
  { name: "revoke_consent", fields: [["party", "addr"], ["scope", "str"]] },
  { name: "record_access", fields: [["subject", "addr"], ["scope", "str"], ["purpose", "str"]] },
  { name: "propose", fields: [["proposal_id", "str"], ["action", "gov"], ["expires_at_ms", "u64"]] },
  { name: "vote", fields: [["proposal_id", "str"], ["approve", "bool"]] },
  { name: "upload_code", fields: [["code_hash", "hash"], ["total_len", "u32"], ["index", "u32"], ["chunk", "hexbytes"]] },
  { name: "call_contract", fields: [["contract_id", "str"], ["method", "str"], ["args", "hexbytes"], ["fuel_limit", "u64"], ["attach", "pairs"]] },
];

/** `GovAction` variants in declaration order. */
export const GOV_ACTIONS: readonly Variant[] = [
  { name: "add_validator", fields: [["name", "str"], ["public_key", "addr"], ["power", "u64"], ["effective_height", "u64"]] },
  { name: "remove_validator", fields: [["public_key", "addr"], ["effective_height", "u64"]] },
  { name: "grant_role", fields: [["account", "addr"], ["role", "role"]] },
  { name: "revoke_role", fields: [["account", "addr"], ["role", "role"]] },
  { name: "define_asset", fields: [["class", "asset_class"]] },
  { name: "update_asset", fields: [["class", "asset_class"]] },
  { name: "set_param", fields: [["name", "str"], ["value", "u64"]] },
  { name: "set_member", fields: [["account", "addr"], ["member", "bool"]] },
  {
    name: "deploy_contract",
    fields: [["contract_id", "str"], ["code_hash", "hash"], ["init_args", "hexbytes"], ["assets", "vec_str"], ["budget", "pairs"]],
  },
  { name: "upgrade_contract", fields: [["contract_id", "str"], ["code_hash", "hash"], ["migrate_args", "hexbytes"]] },
  { name: "set_contract_status", fields: [["contract_id", "str"], ["status", "contract_status"]] },
  { name: "call_contract", fields: [["contract_id", "str"], ["method", "str"], ["args", "hexbytes"]] },
  { name: "set_contract_budget", fields: [["contract_id", "str"], ["asset", "str"], ["allotted", "u64"]] },
];

export const ROLES = ["issuer", "merchant", "coordinator", "credential_issuer"] as const;
export const MERCHANT_CLASSES = ["small_local", "large", "public"] as const;
export const CONTRACT_STATUSES = ["active", "paused", "removed"] as const;
export const ASSET_KINDS = ["coin", "point", "voucher"] as const;
export const SPEND_SCOPES = ["anyone", "merchants", "merchant_classes"] as const;
export const EXPIRY_MODELS = ["none", "fixed_date", "days_per_lot", "rolling_days"] as const;

function indexOf(list: readonly string[], name: unknown, what: string): number {
  const i = typeof name === "string" ? list.indexOf(name) : -1;
  if (i < 0) throw new Error(`unknown ${what}: ${JSON.stringify(name)}`);
  return i;
}

function nameAt<T extends string>(list: readonly T[], i: number, what: string): T {
  const n = list[i];
  if (n === undefined) throw new Error(`unknown ${what} index ${i}`);
  return n;
}

function bytesField(v: unknown, n: number, what: string): Uint8Array {
  if (typeof v !== "string" && !(v instanceof Uint8Array)) throw new Error(`${what}: expected hex or bytes`);
  return toBytes(v, n, what);
}

// ---- nested types -------------------------------------------------------

export function writeRole(w: Writer, role: Json): void {
  const i = indexOf(ROLES, role.role, "role");
  w.u8(i);
  if (i === 0) w.string(role.of as string);
  else if (i === 1) w.u8(indexOf(MERCHANT_CLASSES, role.of, "merchant class"));
}

export function readRole(r: Reader): Json {
  const role = nameAt(ROLES, r.u8(), "role");
  if (role === "issuer") return { role, of: r.string() };
  if (role === "merchant") return { role, of: nameAt(MERCHANT_CLASSES, r.u8(), "merchant class") };
  return { role };
}

export function writeAssetClass(w: Writer, c: Json): void {
  w.string(c.id as string);
  w.u8(indexOf(ASSET_KINDS, c.kind, "asset kind"));
  w.vec(c.issuers as unknown[], (w, a) => w.fixed(bytesField(a, 32, "issuer"), 32));
  w.bool(c.transferable as boolean);
  const sp = c.spendable_at as Json;
  const s = indexOf(SPEND_SCOPES, sp.scope, "spend scope");
  w.u8(s);
  if (s === 2) w.vec(sp.classes as unknown[], (w, k) => w.u8(indexOf(MERCHANT_CLASSES, k, "merchant class")));
  w.bool(c.redeemable as boolean);
  w.u32(c.redeem_fee_bps as number);
  w.fixed(bytesField(c.fee_account, 32, "fee_account"), 32);
  w.u64(c.holding_cap as U64);
  const ex = c.expiry as Json;
  const m = indexOf(EXPIRY_MODELS, ex.model, "expiry model");
  w.u8(m);
  if (m === 1) w.u64(ex.value as U64);
  else if (m === 2 || m === 3) w.u32(ex.value as number);
  w.fixed(bytesField(c.breakage_account, 32, "breakage_account"), 32);
  w.u32(c.pay_priority as number);
  w.option(c.required_credential as string | null | undefined, (w, s) => w.string(s));
}

export function readAssetClass(r: Reader): Json {
  const id = r.string();
  const kind = nameAt(ASSET_KINDS, r.u8(), "asset kind");
  const issuers = r.vec((r) => hex(r.fixed(32)));
  const transferable = r.bool();
  const scope = nameAt(SPEND_SCOPES, r.u8(), "spend scope");
  const spendable_at: Json =
    scope === "merchant_classes" ? { scope, classes: r.vec((r) => nameAt(MERCHANT_CLASSES, r.u8(), "merchant class")) } : { scope };
  const redeemable = r.bool();
  const redeem_fee_bps = r.u32();
  const fee_account = hex(r.fixed(32));
  const holding_cap = r.u64();
  const model = nameAt(EXPIRY_MODELS, r.u8(), "expiry model");
  const expiry: Json = model === "none" ? { model } : { model, value: model === "fixed_date" ? r.u64() : r.u32() };
  const breakage_account = hex(r.fixed(32));
  const pay_priority = r.u32();
  const required_credential = r.option((r) => r.string());
  return { id, kind, issuers, transferable, spendable_at, redeemable, redeem_fee_bps, fee_account, holding_cap, expiry, breakage_account, pay_priority, required_credential };
}

// ---- fields and variants ------------------------------------------------

function writeField(w: Writer, t: FieldType, v: unknown, name: string): void {
  switch (t) {
    case "addr":
    case "hash":
      w.fixed(bytesField(v, 32, name), 32);
      return;
    case "str":
      if (typeof v !== "string") throw new Error(`${name}: expected a string`);
      w.string(v);
      return;
    case "u8":
      w.u8(v as number);
      return;
    case "u32":
      w.u32(v as number);
      return;
    case "u64":
      w.u64(v as U64);
      return;
    case "bool":
      w.bool(v as boolean);
      return;
    case "opt_str":
      w.option(v as string | null | undefined, (w, s) => writeField(w, "str", s, name));
      return;
    case "opt_u8":
      w.option(v as number | null | undefined, (w, n) => w.u8(n));
      return;
    case "opt_u64":
      w.option(v as U64 | null | undefined, (w, n) => w.u64(n));
      return;
    case "vec_str":
      w.vec((v ?? []) as unknown[], (w, s) => writeField(w, "str", s, name));
      return;
    case "hexbytes":
      w.bytes(typeof v === "string" ? fromHex(v) : toBytes(v as Uint8Array));
      return;
    case "pairs":
      w.vec((v ?? []) as [string, U64][], (w, p) => {
        if (!Array.isArray(p) || p.length !== 2) throw new Error(`${name}: expected [asset, amount] pairs`);
        w.string(p[0]);
        w.u64(p[1]);
      });
      return;
    case "gov":
      writeVariant(w, GOV_ACTIONS, "action", v as Json, "governance action");
      return;
    case "role":
      writeRole(w, v as Json);
      return;
    case "asset_class":
      writeAssetClass(w, v as Json);
      return;
    case "contract_status":
      w.u8(indexOf(CONTRACT_STATUSES, v, "contract status"));
      return;
  }
}

function readField(r: Reader, t: FieldType): unknown {
  switch (t) {
    case "addr":
    case "hash":
      return hex(r.fixed(32));
    case "str":
      return r.string();
    case "u8":
      return r.u8();
    case "u32":
      return r.u32();
    case "u64":
      return r.u64();
    case "bool":
      return r.bool();
    case "opt_str":
      return r.option((r) => r.string());
    case "opt_u8":
      return r.option((r) => r.u8());
    case "opt_u64":
      return r.option((r) => r.u64());
    case "vec_str":
      return r.vec((r) => r.string());
    case "hexbytes":
      return hex(r.bytes());
    case "pairs":
      return r.vec((r) => [r.string(), r.u64()]);
    case "gov":
      return readVariant(r, GOV_ACTIONS, "action", "governance action");
    case "role":
      return readRole(r);
    case "asset_class":
      return readAssetClass(r);
    case "contract_status":
      return nameAt(CONTRACT_STATUSES, r.u8(), "contract status");
  }
}

function writeVariant(w: Writer, variants: readonly Variant[], tag: string, v: Json, what: string): void {
  const i = variants.findIndex((x) => x.name === v[tag]);
  if (i < 0) throw new Error(`unknown ${what}: ${JSON.stringify(v[tag])}`);
  w.u8(i);
  for (const [name, t] of variants[i]!.fields) {
    if (!(name in v) && !t.startsWith("opt_")) throw new Error(`${v[tag]}: missing field ${name}`);
    writeField(w, t, v[name], name);
  }
}

function readVariant(r: Reader, variants: readonly Variant[], tag: string, what: string): Json {
  const i = r.u8();
  const variant = variants[i];
  if (!variant) throw new Error(`unknown ${what} index ${i}`);
  const out: Json = { [tag]: variant.name };
  for (const [name, t] of variant.fields) out[name] = readField(r, t);
  return out;
}

export function writeOperation(w: Writer, op: Operation): void {
  writeVariant(w, OPERATIONS, "op", op, "operation");
}

export function readOperation(r: Reader): Operation {
  return readVariant(r, OPERATIONS, "op", "operation") as Operation;
}

export function encodeOperation(op: Operation): Uint8Array {
  const w = new Writer();
  writeOperation(w, op);
  return w.finish();
}

// ---- typed constructors for the value operations -------------------------

type Addr = string | Uint8Array;

export const ops = {
  charge: (to: Addr, asset: string, amount: U64, depositRef: string, campaign: string | null = null): Operation => ({
    op: "charge", to, asset, amount, deposit_ref: depositRef, campaign,
  }),
  grant: (to: Addr, asset: string, amount: U64, reason: string, eventId: string | null = null): Operation => ({
    op: "grant", to, asset, amount, reason, event_id: eventId,
  }),
  transfer: (to: Addr, asset: string, amount: U64): Operation => ({ op: "transfer", to, asset, amount }),
  pay: (merchant: Addr, invoiceId: string, amount: U64, assets: string[] = []): Operation => ({
    op: "pay", merchant, invoice_id: invoiceId, amount, assets,
  }),
  refund: (invoiceId: string, amount: U64): Operation => ({ op: "refund", invoice_id: invoiceId, amount }),
  redeem: (asset: string, amount: U64, payoutRef: string): Operation => ({ op: "redeem", asset, amount, payout_ref: payoutRef }),
  burn: (asset: string, amount: U64): Operation => ({ op: "burn", asset, amount }),
};

/**
 * The JSON form of an operation as the node reads it (`Prepare`'s
 * `operation_json`, `yui submit`): bytes as hex, u64 values as plain JSON
 * numbers (written digit for digit, also beyond 2^53).
 */
export function operationJson(op: Operation): string {
  const marks: string[] = [];
  const text = JSON.stringify(op, (_k, v: unknown) => {
    if (v instanceof Uint8Array) return hex(v);
    if (typeof v === "bigint") {
      marks.push(v.toString());
      return `\u0000big${marks.length - 1}\u0000`;
    }
    return v;
  });
  return text.replace(/"\\u0000big(\d+)\\u0000"/g, (_m, i: string) => marks[Number(i)]!);
}
