//! Two communities' points exchanged at a rate governance sets.
//!
//! The pool is simply the contract's own balance of the two assets: anyone
//! may `fund` it, and a `swap` pays out of it. A resident attaches units of
//! one asset and receives the other: `b = a × num / den` one way and `a = b
//! × den / num` the other, rounded down, computed in 128 bits so no
//! intermediate product overflows. Each account may give at most
//! `daily_cap` units (of whichever asset it gives, summed) per UTC day,
//! `day = block_time_ms / 86_400_000`. Governance deploys the contract
//! letting it hold both assets (with no budget: it mints nothing) and may
//! change the rate and the cap at any time.
//!
//! # Methods
//!
//! Inputs and outputs are borsh.
//!
//! - `init(asset_a: String, asset_b: String, rate_num: u64, rate_den: u64,
//!   daily_cap: u64)`, once (governance). The assets are distinct names of
//!   1–64 bytes; `rate_num` and `rate_den` are at least 1; a `daily_cap` of
//!   0 stops swaps.
//! - `fund()`, by anyone, with one or more attachments, each of `asset_a`
//!   or `asset_b`; they stay in the pool. Emits topic `"funded"` with data
//!   `(funder: [u8; 32], a: u64, b: u64)`, the amounts added.
//! - `swap() -> u64`, by a resident, with exactly one attachment `(asset,
//!   given)`, `asset` being `asset_a` or `asset_b` and `given > 0`. Checked
//!   in this order: initialised, empty input, the attachment, the cap (the
//!   caller's units given today plus `given` at most `daily_cap`), the
//!   output (it fits in a `u64` and is not 0), the pool (the transfer of the
//!   other asset to the caller). Then the caller's usage today is recorded.
//!   Outputs the units received. Emits topic `"swapped"` with data
//!   `(account: [u8; 32], given_asset: String, given: u64, received: u64)`.
//! - `set_rate(num: u64, den: u64)`, governance only, both at least 1.
//!   Emits topic `"rate"` with data `(num: u64, den: u64)`.
//! - `set_cap(daily_cap: u64)`, governance only. Emits topic `"cap"` with
//!   data `(daily_cap: u64)`.
//! - `rate() -> (num: u64, den: u64, daily_cap: u64)`, a query.
//! - `used_today(account: [u8; 32]) -> u64`, a query: units the account
//!   gave today (by the block time of the query).
//! - `pool() -> (a: u64, b: u64)`, a query: the contract's balances.
//!
//! Storage: `"ab"` holds `(asset_a, asset_b)` as borsh strings, `"r"` the
//! rate and cap as three `u64`s, and `"u"` followed by an account's 32
//! bytes its usage as `(day: u64, given: u64)`.
#![no_std]

use yui_contract_sdk::codec::{Attachments, Reader, Writer};
use yui_contract_sdk::{self as yui, Account, GOVERNANCE, refusal};

/// `init` was called before.
pub const ALREADY_INITIALIZED: u32 = 1;
/// A method other than `init` was called before `init`.
pub const NOT_INITIALIZED: u32 = 2;
/// The input is not the method's borsh arguments (or breaks a rule: a zero
/// rate, equal assets).
pub const BAD_INPUT: u32 = 3;
/// `set_rate` or `set_cap` was called by someone other than governance.
pub const NOT_GOVERNANCE: u32 = 4;
/// The attachment is malformed or longer than the ledger's 8 entries, or
/// empty for `fund`, or for `swap` not exactly one entry of a positive
/// amount.
pub const BAD_ATTACHMENT: u32 = 5;
/// An attached asset is neither `asset_a` nor `asset_b`.
pub const WRONG_ASSET: u32 = 6;
/// The swap would take the caller over `daily_cap` units today.
pub const OVER_DAILY_CAP: u32 = 7;
/// The swap would pay out nothing (rounded down to 0).
pub const ZERO_OUTPUT: u32 = 8;
/// The pool holds too little of the asset to pay out.
pub const POOL_EMPTY: u32 = 9;
/// The ledger refused the payout for a reason other than the balance.
pub const TRANSFER_REFUSED: u32 = 10;
/// The output, a day's usage or a funded sum does not fit in a `u64`.
pub const OVERFLOW: u32 = 11;

const ASSETS: &[u8] = b"ab";
const RATE: &[u8] = b"r";
const DAY_MS: u64 = 86_400_000;
/// Longest asset name the ledger accepts.
const NAME_LEN_MAX: usize = 64;
/// The two asset names at their largest.
const ASSETS_LEN_MAX: usize = 2 * (4 + NAME_LEN_MAX);
/// `init`'s arguments at their largest.
const INIT_LEN_MAX: usize = ASSETS_LEN_MAX + 3 * 8;
/// Most attachments one call may carry (the ledger's limit is 8) and the
/// bytes they take at their largest.
const ATTACHED_LEN_MAX: usize = 4 + 8 * (4 + NAME_LEN_MAX + 8);

/// The two assets, borrowed from storage.
struct Assets<'a> {
    a: &'a str,
    b: &'a str,
}

/// The rate and the daily cap.
#[derive(Clone, Copy)]
struct Rate {
    num: u64,
    den: u64,
    cap: u64,
}

fn name(value: &str) -> bool {
    !value.is_empty() && value.len() <= NAME_LEN_MAX
}

fn read_assets<'a>(reader: &mut Reader<'a>) -> Option<Assets<'a>> {
    let assets = Assets {
        a: reader.str()?,
        b: reader.str()?,
    };
    let valid = name(assets.a) && name(assets.b) && assets.a != assets.b;
    valid.then_some(assets)
}

fn read_rate(reader: &mut Reader<'_>) -> Option<Rate> {
    let rate = Rate {
        num: reader.u64()?,
        den: reader.u64()?,
        cap: reader.u64()?,
    };
    (rate.num > 0 && rate.den > 0).then_some(rate)
}

fn assets(buf: &mut [u8; ASSETS_LEN_MAX]) -> Assets<'_> {
    let Some(bytes) = yui::storage_get(ASSETS, buf) else {
        yui::abort(NOT_INITIALIZED)
    };
    let mut reader = Reader::new(bytes);
    match (read_assets(&mut reader), reader.finish()) {
        (Some(assets), Some(())) => assets,
        _ => yui::abort(NOT_INITIALIZED),
    }
}

fn load_rate() -> Rate {
    let mut buf = [0; 24];
    let Some(bytes) = yui::storage_get(RATE, &mut buf) else {
        yui::abort(NOT_INITIALIZED)
    };
    read_rate(&mut Reader::new(bytes)).unwrap_or_else(|| yui::abort(NOT_INITIALIZED))
}

/// Borsh `(num: u64, den: u64, daily_cap: u64)`.
fn rate_bytes(rate: Rate) -> [u8; 24] {
    let mut bytes = [0; 24];
    bytes[..8].copy_from_slice(&rate.num.to_le_bytes());
    bytes[8..16].copy_from_slice(&rate.den.to_le_bytes());
    bytes[16..].copy_from_slice(&rate.cap.to_le_bytes());
    bytes
}

/// The input as exactly `N` bytes (nothing, a `u64`, two, or an account).
fn input<const N: usize>() -> [u8; N] {
    let mut buf = [0; N];
    match yui::input(&mut buf) {
        Some(input) if input.len() == N => buf,
        _ => yui::abort(BAD_INPUT),
    }
}

/// Aborts unless governance is calling.
fn governance_only() {
    if yui::caller() != GOVERNANCE {
        yui::abort(NOT_GOVERNANCE);
    }
}

fn usage_key(account: &Account) -> [u8; 33] {
    let mut key = [0; 33];
    key[0] = b'u';
    key[1..].copy_from_slice(account);
    key
}

/// Units the account under `key` gave on `today`.
fn used_on(key: &[u8], today: u64) -> u64 {
    let mut buf = [0; 16];
    let Some(bytes) = yui::storage_get(key, &mut buf) else {
        return 0;
    };
    let mut reader = Reader::new(bytes);
    match (reader.u64(), reader.u64()) {
        (Some(day), Some(used)) if day == today => used,
        _ => 0,
    }
}

fn today() -> u64 {
    yui::block_time_ms() / DAY_MS
}

/// `given × mul / div` rounded down, or abort with [`OVERFLOW`].
fn convert(given: u64, mul: u64, div: u64) -> u64 {
    let out = u128::from(given) * u128::from(mul) / u128::from(div);
    u64::try_from(out).unwrap_or_else(|_| yui::abort(OVERFLOW))
}

fn add(a: u64, b: u64) -> u64 {
    a.checked_add(b).unwrap_or_else(|| yui::abort(OVERFLOW))
}

/// Sets up the pair: see the crate docs for the arguments.
#[allow(unsafe_code)] // `no_mangle` only names the export the host calls.
#[unsafe(no_mangle)]
pub extern "C" fn init() {
    if yui::storage_has(ASSETS) {
        yui::abort(ALREADY_INITIALIZED);
    }
    let mut buf = [0; INIT_LEN_MAX];
    let Some(input) = yui::input(&mut buf) else {
        yui::abort(BAD_INPUT)
    };
    let mut reader = Reader::new(input);
    let (Some(assets), Some(rate)) = (read_assets(&mut reader), read_rate(&mut reader)) else {
        yui::abort(BAD_INPUT)
    };
    if reader.finish().is_none() {
        yui::abort(BAD_INPUT);
    }
    // The input starts with the two names exactly as `"ab"` stores them.
    let assets_len = 8 + assets.a.len() + assets.b.len();
    yui::storage_write(ASSETS, input.get(..assets_len).unwrap_or_default());
    yui::storage_write(RATE, &rate_bytes(rate));
}

/// Adds the attached `asset_a` and `asset_b` to the pool.
#[allow(unsafe_code)] // `no_mangle` only names the export the host calls.
#[unsafe(no_mangle)]
pub extern "C" fn fund() {
    let mut buf = [0; ASSETS_LEN_MAX];
    let assets = assets(&mut buf);
    let [] = input();
    let mut attached = [0; ATTACHED_LEN_MAX];
    let Some(entries) = yui::attached(&mut attached).and_then(Attachments::parse) else {
        yui::abort(BAD_ATTACHMENT)
    };
    if entries.remaining() == 0 {
        yui::abort(BAD_ATTACHMENT);
    }
    let (mut a, mut b) = (0, 0);
    for (asset, amount) in entries {
        if asset == assets.a {
            a = add(a, amount);
        } else if asset == assets.b {
            b = add(b, amount);
        } else {
            yui::abort(WRONG_ASSET);
        }
    }
    let mut data = [0; 48];
    let mut writer = Writer::new(&mut data);
    if writer
        .raw(&yui::caller())
        .and_then(|w| w.u64(a))
        .and_then(|w| w.u64(b))
        .is_some()
    {
        yui::emit(b"funded", writer.as_slice());
    }
}

/// Exchanges the attached units for the other asset: borsh `u64` received.
#[allow(unsafe_code)] // `no_mangle` only names the export the host calls.
#[unsafe(no_mangle)]
pub extern "C" fn swap() {
    let mut buf = [0; ASSETS_LEN_MAX];
    let assets = assets(&mut buf);
    let rate = load_rate();
    let [] = input();
    let mut attached = [0; ATTACHED_LEN_MAX];
    let Some((given_asset, given)) = yui::attached(&mut attached)
        .and_then(Attachments::parse)
        .and_then(Attachments::single)
        .filter(|&(_, given)| given > 0)
    else {
        yui::abort(BAD_ATTACHMENT)
    };
    let (paid_asset, mul, div) = if given_asset == assets.a {
        (assets.b, rate.num, rate.den)
    } else if given_asset == assets.b {
        (assets.a, rate.den, rate.num)
    } else {
        yui::abort(WRONG_ASSET)
    };
    let account = yui::caller();
    let key = usage_key(&account);
    let today = today();
    let used = used_on(&key, today);
    // `used` may exceed a cap governance lowered today: then nothing is left.
    if given > rate.cap.saturating_sub(used) {
        yui::abort(OVER_DAILY_CAP);
    }
    let received = convert(given, mul, div);
    if received == 0 {
        yui::abort(ZERO_OUTPUT);
    }
    match yui::transfer(&account, paid_asset, received) {
        Ok(()) => {}
        Err(refusal::INSUFFICIENT_BALANCE) => yui::abort(POOL_EMPTY),
        Err(_) => yui::abort(TRANSFER_REFUSED),
    }
    let mut usage = [0; 16];
    usage[..8].copy_from_slice(&today.to_le_bytes());
    usage[8..].copy_from_slice(&add(used, given).to_le_bytes());
    yui::storage_write(&key, &usage);
    let mut data = [0; 32 + 4 + NAME_LEN_MAX + 16];
    let mut writer = Writer::new(&mut data);
    if writer
        .raw(&account)
        .and_then(|w| w.bytes(given_asset.as_bytes()))
        .and_then(|w| w.u64(given))
        .and_then(|w| w.u64(received))
        .is_some()
    {
        yui::emit(b"swapped", writer.as_slice());
    }
    yui::output(&received.to_le_bytes());
}

/// Sets the rate, keeping the cap; governance only.
#[allow(unsafe_code)] // `no_mangle` only names the export the host calls.
#[unsafe(no_mangle)]
pub extern "C" fn set_rate() {
    let Rate { cap, .. } = load_rate();
    governance_only();
    let input: [u8; 16] = input();
    let mut reader = Reader::new(&input);
    let (Some(num), Some(den)) = (reader.u64(), reader.u64()) else {
        yui::abort(BAD_INPUT)
    };
    if num == 0 || den == 0 {
        yui::abort(BAD_INPUT);
    }
    yui::storage_write(RATE, &rate_bytes(Rate { num, den, cap }));
    yui::emit(b"rate", &input);
}

/// Sets the daily cap, keeping the rate; governance only.
#[allow(unsafe_code)] // `no_mangle` only names the export the host calls.
#[unsafe(no_mangle)]
pub extern "C" fn set_cap() {
    let Rate { num, den, .. } = load_rate();
    governance_only();
    let input: [u8; 8] = input();
    let cap = u64::from_le_bytes(input);
    yui::storage_write(RATE, &rate_bytes(Rate { num, den, cap }));
    yui::emit(b"cap", &input);
}

/// The rate and the daily cap: borsh `(u64, u64, u64)`.
#[allow(unsafe_code)] // `no_mangle` only names the export the host calls.
#[unsafe(no_mangle)]
pub extern "C" fn rate() {
    yui::output(&rate_bytes(load_rate()));
}

/// Units the account in the input gave today: borsh `u64`.
#[allow(unsafe_code)] // `no_mangle` only names the export the host calls.
#[unsafe(no_mangle)]
pub extern "C" fn used_today() {
    let account: Account = input();
    yui::output(&used_on(&usage_key(&account), today()).to_le_bytes());
}

/// The pool, the contract's balances of the two assets: borsh `(u64, u64)`.
#[allow(unsafe_code)] // `no_mangle` only names the export the host calls.
#[unsafe(no_mangle)]
pub extern "C" fn pool() {
    let mut buf = [0; ASSETS_LEN_MAX];
    let assets = assets(&mut buf);
    let contract = yui::contract_account();
    let mut bytes = [0; 16];
    bytes[..8].copy_from_slice(&yui::balance(&contract, assets.a).to_le_bytes());
    bytes[8..].copy_from_slice(&yui::balance(&contract, assets.b).to_le_bytes());
    yui::output(&bytes);
}
