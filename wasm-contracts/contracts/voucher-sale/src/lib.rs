//! Premium vouchers (プレミアム付商品券).
//!
//! The city sells sets of vouchers worth more than they cost: a resident
//! pays `price` coins per set (say 10,000) and is granted `face` vouchers
//! per set (say 13,000), at most `max_sets` sets per person, while the sale
//! is open. Governance deploys the contract with a budget of the voucher
//! asset (how many vouchers the city funds) and lets it hold the coin asset
//! (which residents attach to `buy`). The coins go straight on to the
//! city's account; when the budget cannot pay a purchase the sale is sold
//! out.
//!
//! # Methods
//!
//! Inputs and outputs are borsh.
//!
//! - `init(city: [u8; 32], coin: String, voucher: String, price: u64,
//!   face: u64, max_sets: u32, credential: String, opens_ms: u64,
//!   closes_ms: u64)`, once (governance). `coin` and `voucher` are distinct
//!   asset names and `credential` a credential kind, each 1–64 bytes;
//!   `price`, `face` and `max_sets` are at least 1; `opens_ms < closes_ms`.
//! - `buy(sets: u32)`, by a resident, with exactly one attachment:
//!   `(coin, price × sets)`. Checked in this order: the sale is initialised,
//!   the input is one `u32` of at least 1, block time is in
//!   `[opens_ms, closes_ms)`, the caller holds a valid `credential`, the
//!   caller's sets so far plus `sets` are at most `max_sets`, the products
//!   fit in a `u64`, the attachment is exactly right. Then the coins are
//!   transferred to `city`, `face × sets` vouchers are granted to the
//!   caller, and the purchase is recorded. No output. Emits topic `"sold"`
//!   with data `(buyer: [u8; 32], sets: u32, vouchers: u64)`.
//! - `bought(account: [u8; 32]) -> u32`, a query: sets the account bought.
//! - `stats() -> (sets_sold: u64, buyers: u64)`, a query.
//!
//! Storage: `"cfg"` holds the `init` arguments as given, `"s"` the stats as
//! two `u64`s, and `"b"` followed by a buyer's 32 bytes the buyer's sets as
//! a `u32`.
#![no_std]

use yui_contract_sdk::codec::{Attachments, Reader, Writer};
use yui_contract_sdk::{self as yui, Account, refusal};

/// `init` was called before.
pub const ALREADY_INITIALIZED: u32 = 1;
/// A method other than `init` was called before `init`.
pub const NOT_INITIALIZED: u32 = 2;
/// The input is not the method's borsh arguments (or breaks a rule of
/// `init`'s, or `sets` is 0).
pub const BAD_INPUT: u32 = 3;
/// Block time is before `opens_ms`.
pub const NOT_OPEN: u32 = 4;
/// Block time is at or after `closes_ms`.
pub const CLOSED: u32 = 5;
/// The caller holds no valid credential of the sale's kind.
pub const NO_CREDENTIAL: u32 = 6;
/// The caller would hold more than `max_sets` sets (a sixth set of five).
pub const OVER_LIMIT: u32 = 7;
/// The attachment is not exactly one entry of `(coin, price × sets)`.
pub const WRONG_PAYMENT: u32 = 8;
/// The voucher budget cannot pay `face × sets`: the sale is sold out.
pub const SOLD_OUT: u32 = 9;
/// The ledger refused to pass the coins on to the city.
pub const TRANSFER_REFUSED: u32 = 10;
/// The ledger refused the voucher grant for a reason other than the budget.
pub const GRANT_REFUSED: u32 = 11;
/// `price × sets`, `face × sets` or a running total does not fit in a `u64`.
pub const OVERFLOW: u32 = 12;

const CONFIG: &[u8] = b"cfg";
const STATS: &[u8] = b"s";
/// Longest asset name or credential kind the ledger accepts.
const NAME_LEN_MAX: usize = 64;
/// `init`'s arguments at their largest.
const CONFIG_LEN_MAX: usize = 32 + 3 * (4 + NAME_LEN_MAX) + 8 + 8 + 4 + 8 + 8;
/// The one attachment `buy` accepts, at its largest.
const PAYMENT_LEN_MAX: usize = 4 + 4 + NAME_LEN_MAX + 8;

/// The sale's settings, borrowed from the stored `init` arguments.
struct Config<'a> {
    city: Account,
    coin: &'a str,
    voucher: &'a str,
    price: u64,
    face: u64,
    max_sets: u32,
    credential: &'a str,
    opens_ms: u64,
    closes_ms: u64,
}

fn name(value: &str) -> bool {
    !value.is_empty() && value.len() <= NAME_LEN_MAX
}

fn parse_config(bytes: &[u8]) -> Option<Config<'_>> {
    let mut reader = Reader::new(bytes);
    let config = Config {
        city: reader.array()?,
        coin: reader.str()?,
        voucher: reader.str()?,
        price: reader.u64()?,
        face: reader.u64()?,
        max_sets: reader.u32()?,
        credential: reader.str()?,
        opens_ms: reader.u64()?,
        closes_ms: reader.u64()?,
    };
    reader.finish()?;
    let valid = name(config.coin)
        && name(config.voucher)
        && config.coin != config.voucher
        && name(config.credential)
        && config.price > 0
        && config.face > 0
        && config.max_sets > 0
        && config.opens_ms < config.closes_ms;
    valid.then_some(config)
}

fn config(buf: &mut [u8; CONFIG_LEN_MAX]) -> Config<'_> {
    let Some(bytes) = yui::storage_get(CONFIG, buf) else {
        yui::abort(NOT_INITIALIZED)
    };
    parse_config(bytes).unwrap_or_else(|| yui::abort(NOT_INITIALIZED))
}

/// The input as exactly one value of `N` bytes (a `u32` or an account).
fn input<const N: usize>() -> [u8; N] {
    let mut buf = [0; N];
    match yui::input(&mut buf) {
        Some(input) if input.len() == N => buf,
        _ => yui::abort(BAD_INPUT),
    }
}

fn buyer_key(buyer: &Account) -> [u8; 33] {
    let mut key = [0; 33];
    key[0] = b'b';
    key[1..].copy_from_slice(buyer);
    key
}

/// Sets the account under `key` bought (0 if none).
fn bought_sets(key: &[u8]) -> u32 {
    let mut buf = [0; 4];
    match yui::storage_get(key, &mut buf) {
        Some(bytes) => Reader::new(bytes).u32().unwrap_or(0),
        None => 0,
    }
}

/// `(sets_sold, buyers)`, zero before the first sale.
fn read_stats() -> (u64, u64) {
    let mut buf = [0; 16];
    let Some(bytes) = yui::storage_get(STATS, &mut buf) else {
        return (0, 0);
    };
    let mut reader = Reader::new(bytes);
    (reader.u64().unwrap_or(0), reader.u64().unwrap_or(0))
}

/// Aborts unless exactly `(coin, amount)` is attached.
fn check_payment(coin: &str, amount: u64) {
    let mut buf = [0; PAYMENT_LEN_MAX];
    let payment = yui::attached(&mut buf)
        .and_then(Attachments::parse)
        .and_then(Attachments::single);
    if payment != Some((coin, amount)) {
        yui::abort(WRONG_PAYMENT);
    }
}

/// Borsh `(sets_sold: u64, buyers: u64)`.
fn stats_bytes(sold: u64, buyers: u64) -> [u8; 16] {
    let mut bytes = [0; 16];
    bytes[..8].copy_from_slice(&sold.to_le_bytes());
    bytes[8..].copy_from_slice(&buyers.to_le_bytes());
    bytes
}

/// `a × b`, or abort with [`OVERFLOW`].
fn mul(a: u64, b: u32) -> u64 {
    a.checked_mul(u64::from(b))
        .unwrap_or_else(|| yui::abort(OVERFLOW))
}

/// Opens the sale: see the crate docs for the arguments.
#[allow(unsafe_code)] // `no_mangle` only names the export the host calls.
#[unsafe(no_mangle)]
pub extern "C" fn init() {
    if yui::storage_has(CONFIG) {
        yui::abort(ALREADY_INITIALIZED);
    }
    let mut buf = [0; CONFIG_LEN_MAX];
    let Some(input) = yui::input(&mut buf) else {
        yui::abort(BAD_INPUT)
    };
    if parse_config(input).is_none() {
        yui::abort(BAD_INPUT);
    }
    yui::storage_write(CONFIG, input);
}

/// Sells the caller `sets` sets for the attached coins.
#[allow(unsafe_code)] // `no_mangle` only names the export the host calls.
#[unsafe(no_mangle)]
pub extern "C" fn buy() {
    let mut buf = [0; CONFIG_LEN_MAX];
    let config = config(&mut buf);
    let sets = u32::from_le_bytes(input());
    if sets == 0 {
        yui::abort(BAD_INPUT);
    }
    let now = yui::block_time_ms();
    if now < config.opens_ms {
        yui::abort(NOT_OPEN);
    }
    if now >= config.closes_ms {
        yui::abort(CLOSED);
    }
    let buyer = yui::caller();
    if !yui::has_credential(&buyer, config.credential) {
        yui::abort(NO_CREDENTIAL);
    }
    let key = buyer_key(&buyer);
    let before = bought_sets(&key);
    // `before <= max_sets` always; the subtraction cannot wrap either way.
    if sets > config.max_sets.saturating_sub(before) {
        yui::abort(OVER_LIMIT);
    }
    let cost = mul(config.price, sets);
    let vouchers = mul(config.face, sets);
    check_payment(config.coin, cost);
    if yui::transfer(&config.city, config.coin, cost).is_err() {
        yui::abort(TRANSFER_REFUSED);
    }
    match yui::grant(&buyer, config.voucher, vouchers) {
        Ok(()) => {}
        Err(refusal::BUDGET_EXHAUSTED) => yui::abort(SOLD_OUT),
        Err(_) => yui::abort(GRANT_REFUSED),
    }
    let after = before
        .checked_add(sets)
        .unwrap_or_else(|| yui::abort(OVERFLOW));
    yui::storage_write(&key, &after.to_le_bytes());
    let (sold, buyers) = read_stats();
    let sold = sold
        .checked_add(u64::from(sets))
        .unwrap_or_else(|| yui::abort(OVERFLOW));
    let buyers = buyers
        .checked_add(u64::from(before == 0))
        .unwrap_or_else(|| yui::abort(OVERFLOW));
    yui::storage_write(STATS, &stats_bytes(sold, buyers));
    let mut data = [0; 44];
    let mut writer = Writer::new(&mut data);
    if writer
        .raw(&buyer)
        .and_then(|w| w.u32(sets))
        .and_then(|w| w.u64(vouchers))
        .is_some()
    {
        yui::emit(b"sold", writer.as_slice());
    }
}

/// Sets the account in the input bought: borsh `u32`.
#[allow(unsafe_code)] // `no_mangle` only names the export the host calls.
#[unsafe(no_mangle)]
pub extern "C" fn bought() {
    let account: Account = input();
    yui::output(&bought_sets(&buyer_key(&account)).to_le_bytes());
}

/// Sets sold and distinct buyers: borsh `(u64, u64)`.
#[allow(unsafe_code)] // `no_mangle` only names the export the host calls.
#[unsafe(no_mangle)]
pub extern "C" fn stats() {
    let (sold, buyers) = read_stats();
    yui::output(&stats_bytes(sold, buyers));
}
