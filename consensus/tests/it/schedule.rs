//! Validator sets by height: the set of height 1 and the changes a scenario
//! makes to it, as governance does on the chain.
//!
//! Every node of the simulation holds a key, `0..keys`, from the start; which
//! of them are validators depends on the height. The set deciding height `h`
//! is known before `h` starts (on the chain it comes from committed state),
//! so every correct node gives its core the same set for `h`.

use std::fmt;

use ed25519_dalek::SigningKey;
use sha2::{Digest, Sha256};
use yui_consensus::{Validator, ValidatorSet};

/// A change to the validator set. Validators are named by key number, never
/// by their index in a set, which shifts when a validator before them leaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// Key `.0` joins with power `.1`, at the end of the set.
    Add(u32, u64),
    /// Key `.0` leaves; the validators after it move down one index.
    Remove(u32),
    /// Key `.0`'s power becomes `.1`.
    Power(u32, u64),
}

/// The simulation's key number `k`.
pub fn signing_key(k: u32) -> SigningKey {
    SigningKey::from_bytes(&Sha256::digest(format!("yui-sim-key-{k}")).into())
}

/// The validator set of every height.
#[derive(Clone)]
pub struct Schedule {
    /// The public key of each key number.
    public_keys: Vec<[u8; 32]>,
    /// `(first height, set)`, by ascending height; the first from height 1.
    sets: Vec<(u64, ValidatorSet)>,
}

impl Schedule {
    /// Keys `0..genesis` of `keys` hold power 1 at height 1; from each
    /// `(height, change)` on, in order, the set changes. Panics on a schedule
    /// that makes no sense (a scenario's mistake).
    pub fn new(keys: u32, genesis: u32, changes: &[(u64, Change)]) -> Schedule {
        assert!(
            0 < genesis && genesis <= keys,
            "genesis {genesis} of {keys} keys"
        );
        let public_keys: Vec<[u8; 32]> = (0..keys)
            .map(|k| signing_key(k).verifying_key().to_bytes())
            .collect();
        let mut members: Vec<(u32, u64)> = (0..genesis).map(|k| (k, 1)).collect();
        let build = |members: &[(u32, u64)]| {
            let validators = members
                .iter()
                .map(|&(k, power)| Validator {
                    public_key: public_keys[k as usize],
                    power,
                })
                .collect();
            ValidatorSet::new(validators).unwrap()
        };
        let mut sets = vec![(1, build(&members))];
        for &(height, change) in changes {
            let last = sets.last().map_or(1, |s| s.0);
            assert!(height >= last && height > 1, "change at height {height}");
            let position = |members: &[(u32, u64)], k: u32| {
                members
                    .iter()
                    .position(|m| m.0 == k)
                    .unwrap_or_else(|| panic!("key {k} is not a validator at {height}"))
            };
            match change {
                Change::Add(k, power) => {
                    assert!(k < keys && members.iter().all(|m| m.0 != k), "add {k}");
                    members.push((k, power));
                }
                Change::Remove(k) => {
                    let i = position(&members, k);
                    members.remove(i);
                }
                Change::Power(k, power) => {
                    let i = position(&members, k);
                    members[i].1 = power;
                }
            }
            let set = build(&members);
            if last == height {
                sets.pop();
            }
            sets.push((height, set));
        }
        Schedule { public_keys, sets }
    }

    /// The set deciding `height`.
    pub fn set(&self, height: u64) -> &ValidatorSet {
        let i = self.sets.partition_point(|(from, _)| *from <= height);
        &self.sets[i.saturating_sub(1)].1
    }

    /// Key `k`'s index in the set of `height`, if it is a validator there.
    pub fn index_of(&self, height: u64, k: u32) -> Option<u32> {
        self.set(height).index_of(&self.public_keys[k as usize])
    }

    /// The key number of validator `index` of the set of `height`.
    pub fn key_of(&self, height: u64, index: u32) -> Option<u32> {
        let v = self.set(height).get(index)?;
        self.public_keys
            .iter()
            .position(|pk| pk == &v.public_key)
            .map(|k| k as u32)
    }

    /// The heights from which a changed set decides (height 1 excluded).
    pub fn change_heights(&self) -> impl Iterator<Item = u64> + '_ {
        self.sets.iter().skip(1).map(|s| s.0)
    }

    /// The first height decided by the last set (1 if the set never changes).
    pub fn last_change(&self) -> u64 {
        self.sets.last().map_or(1, |s| s.0)
    }

    /// Whether key `k` is a validator at height 1.
    pub fn in_genesis(&self, k: u32) -> bool {
        self.index_of(1, k).is_some()
    }

    /// The keys of the set of `height` with their powers, in index order.
    pub fn members(&self, height: u64) -> Vec<(u32, u64)> {
        let set = self.set(height);
        (0..set.len() as u32)
            .map(|i| (self.key_of(height, i).unwrap(), set.power_of(i)))
            .collect()
    }
}

impl fmt::Debug for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sets: Vec<(u64, Vec<(u32, u64)>)> = self
            .sets
            .iter()
            .map(|(from, _)| (*from, self.members(*from)))
            .collect();
        write!(f, "Schedule {sets:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Heights 1-3 use keys 0-3, key 4 joins at 4, key 1 leaves at 7 (and
    /// keys 2-4 move down one index), key 0's power doubles at 9.
    #[test]
    fn changes_name_validators_by_key_and_apply_from_their_height() {
        let s = Schedule::new(
            5,
            4,
            &[
                (4, Change::Add(4, 1)),
                (7, Change::Remove(1)),
                (9, Change::Power(0, 2)),
            ],
        );
        let m = |h| s.members(h);
        for h in 1..=3 {
            assert_eq!(m(h), vec![(0, 1), (1, 1), (2, 1), (3, 1)], "height {h}");
        }
        for h in 4..=6 {
            assert_eq!(m(h), vec![(0, 1), (1, 1), (2, 1), (3, 1), (4, 1)]);
        }
        assert_eq!(m(7), vec![(0, 1), (2, 1), (3, 1), (4, 1)]);
        assert_eq!(m(8), m(7));
        assert_eq!(m(9), vec![(0, 2), (2, 1), (3, 1), (4, 1)]);
        assert_eq!(m(1_000), m(9));
        assert_eq!(s.set(9).total_power(), 5);
        assert_eq!((s.index_of(3, 4), s.index_of(4, 4)), (None, Some(4)));
        assert_eq!((s.index_of(6, 2), s.index_of(7, 2)), (Some(2), Some(1)));
        assert_eq!((s.index_of(6, 1), s.index_of(7, 1)), (Some(1), None));
        assert_eq!((s.key_of(6, 1), s.key_of(7, 1)), (Some(1), Some(2)));
        assert_eq!(s.change_heights().collect::<Vec<_>>(), vec![4, 7, 9]);
        assert_eq!(s.last_change(), 9);
        assert!(s.in_genesis(3) && !s.in_genesis(4));
    }

    #[test]
    fn changes_at_one_height_apply_together() {
        let s = Schedule::new(4, 3, &[(2, Change::Add(3, 1)), (2, Change::Remove(0))]);
        assert_eq!(s.members(1), vec![(0, 1), (1, 1), (2, 1)]);
        assert_eq!(s.members(2), vec![(1, 1), (2, 1), (3, 1)]);
        assert_eq!(s.change_heights().collect::<Vec<_>>(), vec![2]);
    }
}
