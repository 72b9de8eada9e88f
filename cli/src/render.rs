//! How the command line shows things to people: one renderer for every
//! command. Times travel as milliseconds since the epoch (UTC) in the ledger
//! and the API; here they become dates in a named time zone — the node's
//! (`node.time_zone` in its config, Asia/Tokyo on the devnet), or `--tz`.
//! `--output json` keeps every raw `…_ms` value and adds its date beside it.

use std::sync::OnceLock;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde_json::{Value, json};
use yui_proto::v1 as pb;

/// Text or JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Output {
    Text,
    Json,
}

static ZONE: OnceLock<TimeZone> = OnceLock::new();

/// Earliest value read as a point in time rather than a duration or a
/// count: 2001-09-09 (10^12 ms).
const EPOCH_MS_MIN: u64 = 1_000_000_000_000;

/// Sets the zone dates are shown in, by IANA name (e.g. "Asia/Tokyo").
/// The first call wins; an unknown name is an error that says so.
pub fn set_time_zone(name: &str) -> anyhow::Result<()> {
    let tz = TimeZone::get(name).map_err(|e| {
        anyhow::anyhow!("unknown time zone '{name}': {e} (an IANA name such as Asia/Tokyo)")
    })?;
    let _ = ZONE.set(tz);
    Ok(())
}

fn zone() -> &'static TimeZone {
    ZONE.get_or_init(|| TimeZone::UTC)
}

/// The zone dates are shown in (UTC until one is set).
pub fn time_zone() -> &'static TimeZone {
    zone()
}

fn zoned(ms: u64) -> Option<jiff::Zoned> {
    let ms = i64::try_from(ms).ok()?;
    Some(
        Timestamp::from_millisecond(ms)
            .ok()?
            .to_zoned(zone().clone()),
    )
}

/// A time for people: `2026-12-01 09:38 JST`; "—" for 0 (not set).
pub fn date(ms: u64) -> String {
    if ms == 0 {
        return "—".into();
    }
    match zoned(ms) {
        Some(z) => z.strftime("%Y-%m-%d %H:%M %Z").to_string(),
        None => format!("{ms} ms"),
    }
}

/// A time with seconds, for events: `2026-12-01 09:38:40 JST`.
pub fn date_s(ms: u64) -> String {
    match zoned(ms) {
        Some(z) if ms > 0 => z.strftime("%Y-%m-%d %H:%M:%S %Z").to_string(),
        _ => date(ms),
    }
}

/// RFC 3339 with the zone's offset, for JSON: `2026-12-01T09:38:40.123+09:00`.
pub fn rfc3339(ms: u64) -> Option<String> {
    zoned(ms).map(|z| z.strftime("%Y-%m-%dT%H:%M:%S%.3f%:z").to_string())
}

/// Beside every `…_ms` field holding a point in time, adds the same name
/// without `_ms` holding its date (`expires_at_ms` → `expires_at`).
pub fn add_dates(v: &mut Value) {
    match v {
        Value::Object(map) => {
            let dates: Vec<(String, String)> = map
                .iter()
                .filter_map(|(k, v)| {
                    let base = k.strip_suffix("_ms")?;
                    let ms = v.as_u64().filter(|ms| *ms >= EPOCH_MS_MIN)?;
                    Some((base.to_string(), rfc3339(ms)?))
                })
                .collect();
            for v in map.values_mut() {
                add_dates(v);
            }
            for (k, d) in dates {
                map.entry(k).or_insert(Value::String(d));
            }
        }
        Value::Array(items) => items.iter_mut().for_each(add_dates),
        _ => {}
    }
}

/// Prints one result: the text for people, or the JSON with dates added.
pub fn print(output: Output, mut v: Value, text: String) {
    match output {
        Output::Json => {
            add_dates(&mut v);
            line(serde_json::to_string_pretty(&v).unwrap_or_default());
        }
        Output::Text => line(text),
    }
}

/// Writes `text` and a newline to standard output. When the reader has
/// gone (`yui … | head`), the command ends quietly with status 141, as a
/// Unix tool stopped by SIGPIPE does, instead of panicking on the write.
pub fn line(text: impl std::fmt::Display) {
    write_out(format_args!("{text}\n"));
}

/// [`line()`] without the newline.
pub fn write_out(text: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(text).and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(141);
        }
        eprintln!("error: writing to standard output: {e}");
        std::process::exit(1);
    }
}

/// `println!` through [`line()`]: a closed pipe ends the command quietly.
#[macro_export]
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::render::line(format_args!($($arg)*))
    };
}

pub fn short(b: &[u8]) -> String {
    let h = hex::encode(b);
    h.get(..8).unwrap_or(&h).to_string()
}

pub fn event_text(e: &pb::Event) -> String {
    // Value events show an amount; credential, consent and governance events
    // show their words instead.
    let what = if !e.detail.is_empty() || !e.note.is_empty() {
        format!("{} {}", e.detail, e.note).trim().to_string()
    } else if e.amount == 0 && e.asset.is_empty() {
        String::new()
    } else {
        format!("{} {}", e.amount, e.asset).trim().to_string()
    };
    let parties = match (e.from.is_empty(), e.to.is_empty()) {
        (true, true) => String::new(),
        _ => format!("{}→{}", short(&e.from), short(&e.to)),
    };
    let line = [e.kind.as_str(), &what, &parties, &e.reference]
        .iter()
        .filter(|x| !x.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    format!("\n    {line}")
}

pub fn event_json(e: &pb::Event) -> serde_json::Value {
    json!({"kind": e.kind, "asset": e.asset, "from": hex::encode(&e.from), "to": hex::encode(&e.to), "amount": e.amount,
           "fee": e.fee, "reference": e.reference, "expires_at_ms": e.expires_at_ms,
           "detail": e.detail, "note": e.note, "accounts": e.accounts.iter().map(hex::encode).collect::<Vec<_>>(),
           "parts": e.parts.iter().map(|p| json!({"asset": p.asset, "amount": p.amount})).collect::<Vec<_>>()})
}

pub fn receipt_json(r: &pb::Receipt) -> serde_json::Value {
    json!({"tx_hash": hex::encode(&r.tx_hash), "height": r.height, "index": r.index, "success": r.success,
           "error": r.error, "events": r.events.iter().map(event_json).collect::<Vec<_>>()})
}

pub fn tx_json(t: &pb::TxSummary) -> serde_json::Value {
    json!({"hash": hex::encode(&t.hash), "signer": hex::encode(&t.signer), "nonce": t.nonce, "operation": t.operation,
           "fields": serde_json::from_str::<serde_json::Value>(&t.operation_json).unwrap_or_default()})
}

pub fn account_json(a: &pb::GetAccountResponse) -> serde_json::Value {
    json!({"address": hex::encode(&a.address), "name": a.name, "nonce": a.nonce, "height": a.height,
           "roles": a.roles.iter().map(|r| format!("{}{}{}", r.kind, if r.of.is_empty() { "" } else { ":" }, r.of)).collect::<Vec<_>>(),
           "balances": a.balances.iter().map(|b| json!({"asset": b.asset, "total": b.total,
               "lots": b.lots.iter().map(|l| json!({"amount": l.amount, "expires_at_ms": l.expires_at_ms})).collect::<Vec<_>>()})).collect::<Vec<_>>()})
}

pub fn account_text(a: &pb::GetAccountResponse) -> String {
    let mut s = format!(
        "{} {} nonce {} (height {})",
        hex::encode(&a.address),
        a.name,
        a.nonce,
        a.height
    );
    for b in &a.balances {
        s.push_str(&format!("\n  {:<10} {:>12}", b.asset, b.total));
        for l in b.lots.iter().filter(|l| l.expires_at_ms > 0) {
            s.push_str(&format!(
                "  [{} expire {}]",
                l.amount,
                date(l.expires_at_ms)
            ));
        }
    }
    s
}

pub fn asset_json(a: &pb::AssetInfo) -> serde_json::Value {
    json!({"id": a.id, "kind": a.kind, "transferable": a.transferable, "spendable_at": a.spendable_at,
           "redeemable": a.redeemable, "redeem_fee_bps": a.redeem_fee_bps, "holding_cap": a.holding_cap,
           "expiry": a.expiry, "issued": a.issued, "burned": a.burned, "expired": a.expired})
}

pub fn block_json(b: &pb::Block) -> serde_json::Value {
    let h = b.header.clone().unwrap_or_default();
    let c = b.certificate.clone().unwrap_or_default();
    json!({"height": h.height, "hash": hex::encode(&h.hash), "time_ms": h.time_ms, "prev_hash": hex::encode(&h.prev_hash),
           "state_root": hex::encode(&h.state_root), "tx_root": hex::encode(&h.tx_root), "proposer": hex::encode(&h.proposer),
           "tx_count": b.tx_count, "certificate": {"round": c.round, "signers": c.signatures.iter().map(|s| s.validator).collect::<Vec<_>>()},
           "txs": b.txs.iter().map(tx_json).collect::<Vec<_>>()})
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_the_towns_zone_and_raw_values_kept() {
        set_time_zone("Asia/Tokyo").unwrap();
        // 2026-12-01 00:00:00 UTC is 09:00 in Tokyo.
        let ms = 1_796_083_200_000;
        assert_eq!(date(ms), "2026-12-01 09:00 JST");
        assert_eq!(date_s(ms + 40_500), "2026-12-01 09:00:40 JST");
        assert_eq!(date(0), "—");
        let mut v = serde_json::json!({
            "expires_at_ms": ms,
            "lots": [{"amount": 5, "expires_at_ms": ms + 1}],
            "wait_ms": 250,
            "expires_at": "kept",
        });
        add_dates(&mut v);
        assert_eq!(v["expires_at_ms"], ms);
        assert_eq!(v["lots"][0]["expires_at"], "2026-12-01T09:00:00.001+09:00");
        assert!(v.get("wait").is_none(), "a duration is not a date");
        assert_eq!(v["expires_at"], "kept");
        assert!(set_time_zone("Mars/Olympus").is_err());
    }
}
