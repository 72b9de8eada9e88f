//! The fixed world the targets check against: the town Yui ships, on a
//! chain of its own, with its people's test keys; and a validator set of
//! four for consensus messages.

use std::sync::OnceLock;

use ed25519_dalek::SigningKey;
use yui_consensus::{Validator, ValidatorSet};
use yui_ledger::town::Town;
use yui_ledger::{Ctx, Genesis, Keypair, MemState};

/// The chain id of the fixed world (the golden vectors' chain, so their
/// transactions pass the chain check).
pub const CHAIN_ID: &str = "yui-vectors";
/// Genesis time: 2026-01-01T00:00:00Z.
pub const T0: u64 = 1_767_225_600_000;

/// The town's people, in the town's order, with their test keys.
pub fn people() -> &'static [(&'static str, Keypair)] {
    static PEOPLE: OnceLock<Vec<(&'static str, Keypair)>> = OnceLock::new();
    PEOPLE.get_or_init(|| {
        Town::new()
            .names()
            .map(|n| (n, Town::test_key(n)))
            .collect()
    })
}

/// The test key of the town's person `name` (the first person for a name
/// not in the town).
pub fn named(name: &str) -> &'static Keypair {
    let p = people();
    p.iter()
        .find(|(n, _)| *n == name)
        .map_or(&p[0].1, |(_, k)| k)
}

/// The town's genesis on [`CHAIN_ID`]: the city hall and the chamber validate.
pub fn genesis() -> Genesis {
    let a = |n: &str| Town::test_key(n).address();
    Town::new().genesis(
        a,
        &[("city hall", a("city")), ("chamber", a("chamber"))],
        CHAIN_ID,
        T0,
    )
}

/// The state at height 0 of [`genesis`].
pub fn genesis_state() -> &'static MemState {
    static STATE: OnceLock<MemState> = OnceLock::new();
    STATE.get_or_init(|| {
        let g = genesis();
        g.validate().expect("the town's genesis is valid");
        let mut state = MemState::default();
        let writes = g.state_writes(&state);
        state.apply(&writes);
        state
    })
}

/// The context of block 1, a second after genesis.
pub fn ctx1() -> Ctx {
    Ctx {
        chain_id: CHAIN_ID.into(),
        height: 1,
        time_ms: T0 + 1_000,
    }
}

/// A person of the town chosen by `b`.
pub fn person(b: u8) -> &'static Keypair {
    let p = people();
    &p[usize::from(b) % p.len()].1
}

/// The consensus validators' signing keys (seeds 1 to 4) and powers 1 to 4.
pub fn validator_keys() -> &'static [SigningKey] {
    static KEYS: OnceLock<Vec<SigningKey>> = OnceLock::new();
    KEYS.get_or_init(|| {
        (1..=4u8)
            .map(|i| SigningKey::from_bytes(&[i; 32]))
            .collect()
    })
}

/// The validator set of [`validator_keys`]: powers 1, 2, 3 and 4 (total 10,
/// quorum above 6).
pub fn validator_set() -> &'static ValidatorSet {
    static SET: OnceLock<ValidatorSet> = OnceLock::new();
    SET.get_or_init(|| {
        let validators = validator_keys()
            .iter()
            .zip(1u64..)
            .map(|(k, power)| Validator {
                public_key: k.verifying_key().to_bytes(),
                power,
            })
            .collect();
        ValidatorSet::new(validators).expect("four distinct keys")
    })
}
