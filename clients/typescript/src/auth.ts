// Read authorisations (docs/encoding.md §8).
import { Writer, type U64 } from "./borsh.js";
import { toBytes } from "./bytes.js";
import type { Keypair } from "./keys.js";

export const READ_DOMAIN = "yui/read/v1";

/** `str("yui/read/v1") ‖ str(chain_id) ‖ reader[32] ‖ subject[32] ‖ u64 time_ms`. */
export function readSignBytes(chainId: string, reader: Uint8Array | string, subject: Uint8Array | string, timeMs: U64): Uint8Array {
  return new Writer()
    .string(READ_DOMAIN)
    .string(chainId)
    .fixed(toBytes(reader, 32, "reader"), 32)
    .fixed(toBytes(subject, 32, "subject"), 32)
    .u64(timeMs)
    .finish();
}

/** The `ReadAuth` message (proto `yui.v1.ReadAuth`). */
export interface ReadAuth {
  reader: Uint8Array;
  time_ms: string;
  signature: Uint8Array;
}

/**
 * A read authorisation by `reader` for `subject` (the account read; the zero
 * address for an auditor's chain-wide read), valid within five minutes of the
 * node's clock.
 */
export function readAuth(reader: Keypair, chainId: string, subject: Uint8Array | string, timeMs: U64 = Date.now()): ReadAuth {
  const sig = reader.sign(readSignBytes(chainId, reader.address, subject, timeMs));
  return { reader: reader.address, time_ms: BigInt(timeMs).toString(), signature: sig };
}
