//! A participatory poll whose voters earn points.
//!
//! A town asks its residents a question with 2 to 16 options (as
//! Higashimurayama does with its local currency). Each resident holding the
//! poll's credential answers once before the poll closes and is granted the
//! reward from the contract's budget. The tally per option is public; who
//! chose what is not recorded by the contract: its storage keeps only that
//! an account answered, and the `"answered"` event carries the option
//! without the account. (The option is still in the resident's signed call
//! input, which the ledger keeps in its block.)
//!
//! # Methods
//!
//! Inputs and outputs are borsh.
//!
//! - `init(poll_id: String, options: u8, asset: String, reward: u64,
//!   credential: String, closes_ms: u64)`, once (governance). `poll_id`,
//!   the reward `asset` and the `credential` kind are 1–64 bytes; `options`
//!   is 2–16; `reward` is at least 1.
//! - `answer(option: u8)`, by a resident, with nothing attached. Checked in
//!   this order: the poll is initialised, the input is one `u8`, `option <
//!   options`, nothing is attached, block time is before `closes_ms`, the
//!   caller holds a valid `credential`, the caller has not answered. Then
//!   the option's count goes up by one and `reward` of `asset` is granted to
//!   the caller. No output. Emits topic `"answered"` with data
//!   `(option: u8)`.
//! - `tally() -> Vec<u64>`, a query: the count of each option, in order.
//! - `answered(account: [u8; 32]) -> bool`, a query.
//!
//! Storage: `"cfg"` holds the `init` arguments as given, `"t"` the tally as
//! borsh `Vec<u64>`, and `"v"` followed by an account's 32 bytes marks that
//! it answered (the byte 1, not the option).
#![no_std]

use yui_contract_sdk::codec::{Attachments, Reader};
use yui_contract_sdk::{self as yui, Account, refusal};

/// `init` was called before.
pub const ALREADY_INITIALIZED: u32 = 1;
/// A method other than `init` was called before `init`.
pub const NOT_INITIALIZED: u32 = 2;
/// The input is not the method's borsh arguments (or breaks a rule of
/// `init`'s).
pub const BAD_INPUT: u32 = 3;
/// The option is not below the number of options.
pub const NO_SUCH_OPTION: u32 = 4;
/// Value was attached to `answer`, which would keep it for good.
pub const VALUE_ATTACHED: u32 = 5;
/// Block time is at or after `closes_ms`.
pub const POLL_CLOSED: u32 = 6;
/// The caller holds no valid credential of the poll's kind.
pub const NO_CREDENTIAL: u32 = 7;
/// The caller has answered before.
pub const ALREADY_ANSWERED: u32 = 8;
/// The reward budget is spent: no more answers are taken.
pub const REWARDS_SPENT: u32 = 9;
/// The ledger refused the reward grant for a reason other than the budget.
pub const GRANT_REFUSED: u32 = 10;
/// An option's count does not fit in a `u64`.
pub const OVERFLOW: u32 = 11;

const CONFIG: &[u8] = b"cfg";
const TALLY: &[u8] = b"t";
/// Longest poll id, asset name or credential kind.
const NAME_LEN_MAX: usize = 64;
/// `init`'s arguments at their largest.
const CONFIG_LEN_MAX: usize = 3 * (4 + NAME_LEN_MAX) + 1 + 8 + 8;
const OPTIONS_MIN: u8 = 2;
const OPTIONS_MAX: u8 = 16;
/// The tally at its largest: a count and one `u64` per option.
const TALLY_LEN_MAX: usize = 4 + 8 * OPTIONS_MAX as usize;

/// The poll's settings, borrowed from the stored `init` arguments.
struct Config<'a> {
    options: u8,
    asset: &'a str,
    reward: u64,
    credential: &'a str,
    closes_ms: u64,
}

fn name(value: &str) -> bool {
    !value.is_empty() && value.len() <= NAME_LEN_MAX
}

fn parse_config(bytes: &[u8]) -> Option<Config<'_>> {
    let mut reader = Reader::new(bytes);
    let poll_id = reader.str()?;
    let config = Config {
        options: reader.u8()?,
        asset: reader.str()?,
        reward: reader.u64()?,
        credential: reader.str()?,
        closes_ms: reader.u64()?,
    };
    reader.finish()?;
    let valid = name(poll_id)
        && (OPTIONS_MIN..=OPTIONS_MAX).contains(&config.options)
        && name(config.asset)
        && config.reward > 0
        && name(config.credential);
    valid.then_some(config)
}

fn config(buf: &mut [u8; CONFIG_LEN_MAX]) -> Config<'_> {
    let Some(bytes) = yui::storage_get(CONFIG, buf) else {
        yui::abort(NOT_INITIALIZED)
    };
    parse_config(bytes).unwrap_or_else(|| yui::abort(NOT_INITIALIZED))
}

/// The input as exactly one value of `N` bytes (a `u8` or an account).
fn input<const N: usize>() -> [u8; N] {
    let mut buf = [0; N];
    match yui::input(&mut buf) {
        Some(input) if input.len() == N => buf,
        _ => yui::abort(BAD_INPUT),
    }
}

fn voter_key(voter: &Account) -> [u8; 33] {
    let mut key = [0; 33];
    key[0] = b'v';
    key[1..].copy_from_slice(voter);
    key
}

/// Whether no value is attached to the call.
fn nothing_attached() -> bool {
    let mut buf = [0; 4];
    yui::attached(&mut buf)
        .and_then(Attachments::parse)
        .is_some_and(|entries| entries.remaining() == 0)
}

/// Starts the poll with every count at zero: see the crate docs for the
/// arguments.
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
    let Some(config) = parse_config(input) else {
        yui::abort(BAD_INPUT)
    };
    let mut tally = [0; TALLY_LEN_MAX];
    let len = 4 + 8 * usize::from(config.options);
    tally[..4].copy_from_slice(&u32::from(config.options).to_le_bytes());
    yui::storage_write(CONFIG, input);
    yui::storage_write(TALLY, tally.get(..len).unwrap_or_default());
}

/// Records the caller's answer once and grants the reward.
#[allow(unsafe_code)] // `no_mangle` only names the export the host calls.
#[unsafe(no_mangle)]
pub extern "C" fn answer() {
    let mut buf = [0; CONFIG_LEN_MAX];
    let config = config(&mut buf);
    let [option] = input();
    if option >= config.options {
        yui::abort(NO_SUCH_OPTION);
    }
    if !nothing_attached() {
        yui::abort(VALUE_ATTACHED);
    }
    if yui::block_time_ms() >= config.closes_ms {
        yui::abort(POLL_CLOSED);
    }
    let voter = yui::caller();
    if !yui::has_credential(&voter, config.credential) {
        yui::abort(NO_CREDENTIAL);
    }
    let key = voter_key(&voter);
    if yui::storage_has(&key) {
        yui::abort(ALREADY_ANSWERED);
    }
    let mut tally = [0; TALLY_LEN_MAX];
    let len = 4 + 8 * usize::from(config.options);
    let at = 4 + 8 * usize::from(option);
    let Some(count) = yui::storage_get(TALLY, &mut tally)
        .filter(|bytes| bytes.len() == len)
        .and_then(|bytes| bytes.get(at..at + 8))
        .and_then(|bytes| Reader::new(bytes).u64())
    else {
        yui::abort(NOT_INITIALIZED)
    };
    let count = count.checked_add(1).unwrap_or_else(|| yui::abort(OVERFLOW));
    tally[at..at + 8].copy_from_slice(&count.to_le_bytes());
    match yui::grant(&voter, config.asset, config.reward) {
        Ok(()) => {}
        Err(refusal::BUDGET_EXHAUSTED) => yui::abort(REWARDS_SPENT),
        Err(_) => yui::abort(GRANT_REFUSED),
    }
    yui::storage_write(&key, &[1]);
    yui::storage_write(TALLY, tally.get(..len).unwrap_or_default());
    yui::emit(b"answered", &[option]);
}

/// The count of each option: borsh `Vec<u64>`.
#[allow(unsafe_code)] // `no_mangle` only names the export the host calls.
#[unsafe(no_mangle)]
pub extern "C" fn tally() {
    let mut tally = [0; TALLY_LEN_MAX];
    let Some(bytes) = yui::storage_get(TALLY, &mut tally) else {
        yui::abort(NOT_INITIALIZED)
    };
    yui::output(bytes);
}

/// Whether the account in the input answered: borsh `bool`.
#[allow(unsafe_code)] // `no_mangle` only names the export the host calls.
#[unsafe(no_mangle)]
pub extern "C" fn answered() {
    let account: Account = input();
    yui::output(&[u8::from(yui::storage_has(&voter_key(&account)))]);
}
