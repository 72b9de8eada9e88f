//! A town clean-up day.
//!
//! Governance deploys the contract with a budget of an asset (say, 10,000
//! "kusunoki-points") and calls `init` naming the day's coordinator. On the
//! day the coordinator records each attendee; each attendee is granted the
//! reward once from the budget. When the budget cannot pay another reward
//! the campaign is over: every further `record` aborts with
//! [`CAMPAIGN_ENDED`].
//!
//! Methods (inputs and outputs are borsh):
//! - `init(coordinator: [u8; 32], asset: String, reward: u64)`, once;
//! - `record(attendee: [u8; 32])`, by the coordinator only; emits topic
//!   `"paid"` with data `(attendee: [u8; 32], amount: u64)`;
//! - `attended(attendee: [u8; 32]) -> bool`, a query;
//! - `stats() -> u64`, a query: how many attendees were paid.
//!
//! Storage: `"cfg"` holds the `init` arguments as given, `"n"` the count as
//! a `u64`, and `"a"` followed by an attendee's 32 bytes marks a payout.
#![no_std]

use yui_contract_sdk::codec::{Reader, Writer};
use yui_contract_sdk::{self as yui, Account, refusal};

/// `init` was called before.
pub const ALREADY_INITIALIZED: u32 = 1;
/// A method other than `init` was called before `init`.
pub const NOT_INITIALIZED: u32 = 2;
/// The input is not the method's borsh arguments (or the reward is 0).
pub const BAD_INPUT: u32 = 3;
/// `record` was called by someone other than the coordinator.
pub const NOT_COORDINATOR: u32 = 4;
/// The attendee was already paid.
pub const ALREADY_PAID: u32 = 5;
/// The budget cannot pay another reward: the campaign has ended.
pub const CAMPAIGN_ENDED: u32 = 6;
/// The ledger refused the grant for another reason.
pub const GRANT_REFUSED: u32 = 7;

const CONFIG: &[u8] = b"cfg";
const COUNT: &[u8] = b"n";
/// Longest asset name the ledger accepts.
const ASSET_LEN_MAX: usize = 64;
/// `init`'s arguments at their largest: account, length, asset, reward.
const CONFIG_LEN_MAX: usize = 32 + 4 + ASSET_LEN_MAX + 8;

/// The campaign's settings, borrowed from the stored `init` arguments.
struct Config<'a> {
    coordinator: Account,
    asset: &'a str,
    reward: u64,
}

fn parse_config(bytes: &[u8]) -> Option<Config<'_>> {
    let mut reader = Reader::new(bytes);
    let coordinator = reader.array()?;
    let asset = reader.str()?;
    let reward = reader.u64()?;
    reader.finish()?;
    let valid = !asset.is_empty() && asset.len() <= ASSET_LEN_MAX && reward > 0;
    valid.then_some(Config {
        coordinator,
        asset,
        reward,
    })
}

fn config(buf: &mut [u8; CONFIG_LEN_MAX]) -> Config<'_> {
    let Some(bytes) = yui::storage_get(CONFIG, buf) else {
        yui::abort(NOT_INITIALIZED)
    };
    parse_config(bytes).unwrap_or_else(|| yui::abort(NOT_INITIALIZED))
}

/// The single `[u8; 32]` argument of `record` and `attended`.
fn attendee_input() -> Account {
    let mut buf = [0; 32];
    let Some(input) = yui::input(&mut buf) else {
        yui::abort(BAD_INPUT)
    };
    let mut reader = Reader::new(input);
    match (reader.array(), reader.finish()) {
        (Some(attendee), Some(())) => attendee,
        _ => yui::abort(BAD_INPUT),
    }
}

fn attendee_key(attendee: &Account) -> [u8; 33] {
    let mut key = [0; 33];
    key[0] = b'a';
    key[1..].copy_from_slice(attendee);
    key
}

fn count() -> u64 {
    let mut buf = [0; 8];
    match yui::storage_get(COUNT, &mut buf) {
        Some(bytes) => Reader::new(bytes).u64().unwrap_or(0),
        None => 0,
    }
}

/// Starts the campaign: borsh `(coordinator: [u8; 32], asset: String, reward: u64)`.
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
    yui::storage_write(COUNT, &0u64.to_le_bytes());
}

/// Pays the attendee in the input once; the coordinator only.
#[allow(unsafe_code)] // `no_mangle` only names the export the host calls.
#[unsafe(no_mangle)]
pub extern "C" fn record() {
    let mut buf = [0; CONFIG_LEN_MAX];
    let config = config(&mut buf);
    if yui::caller() != config.coordinator {
        yui::abort(NOT_COORDINATOR);
    }
    let attendee = attendee_input();
    let key = attendee_key(&attendee);
    if yui::storage_has(&key) {
        yui::abort(ALREADY_PAID);
    }
    match yui::grant(&attendee, config.asset, config.reward) {
        Ok(()) => {}
        Err(refusal::BUDGET_EXHAUSTED) => yui::abort(CAMPAIGN_ENDED),
        Err(_) => yui::abort(GRANT_REFUSED),
    }
    yui::storage_write(&key, &[1]);
    let Some(count) = count().checked_add(1) else {
        yui::abort(BAD_INPUT)
    };
    yui::storage_write(COUNT, &count.to_le_bytes());
    let mut data = [0; 40];
    let mut writer = Writer::new(&mut data);
    if writer
        .raw(&attendee)
        .and_then(|w| w.u64(config.reward))
        .is_some()
    {
        yui::emit(b"paid", writer.as_slice());
    }
}

/// Whether the attendee in the input was paid: borsh `bool`.
#[allow(unsafe_code)] // `no_mangle` only names the export the host calls.
#[unsafe(no_mangle)]
pub extern "C" fn attended() {
    let attendee = attendee_input();
    let paid = yui::storage_has(&attendee_key(&attendee));
    yui::output(&[u8::from(paid)]);
}

/// How many attendees were paid: borsh `u64`.
#[allow(unsafe_code)] // `no_mangle` only names the export the host calls.
#[unsafe(no_mangle)]
pub extern "C" fn stats() {
    yui::output(&count().to_le_bytes());
}
