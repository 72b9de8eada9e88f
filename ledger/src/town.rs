//! The town Yui ships for its devnet and its tests, as data: who lives in it
//! and what each may do, the town's money (asset classes and their
//! policies), its campaign, and a builder of its genesis.
//!
//! The devnet, the end-to-end tests and the ledger's own tests all start
//! from this one town; each brings its own keys (key files, or
//! [`Town::test_key`]), validators, chain id and start time. Pure like the
//! rest of the ledger: no clock, no I/O, the same genesis for the same
//! inputs. It is test and demo data, not consensus: nothing here is read by
//! a node.

use crate::asset::{
    AssetClass, AssetKind, Campaign, DAY_MS, ExpiryPolicy, MerchantClass, SpendScope,
};
use crate::crypto::{Address, Keypair, sha256};
use crate::genesis::{Genesis, GenesisAccount, GenesisValidator};
use crate::state::Role;

/// Coins: bought with yen, spendable anywhere, redeemable by merchants.
pub const COIN: &str = "coin";
/// Points the city grants (volunteering, charge bonuses), spent at merchants.
pub const POINT: &str = "point";
/// Premium vouchers, spent at small local shops only.
pub const VOUCHER: &str = "voucher";
/// 結 (yui) mutual-aid points: neighbours earn them by volunteering and pay
/// each other for small jobs.
pub const YUI: &str = "yui";
/// Festival points, all expiring at one time soon after genesis.
pub const FESTIVAL: &str = "festival";
/// The campaign that adds bonus points to a charge of coins.
pub const WELCOME_BONUS: &str = "welcome-bonus";

/// What redeeming coins costs the merchant, in basis points (1.5%).
pub const COIN_FEE_BPS: u32 = 150;
/// Each lot of points lives this many days after it was received.
pub const POINT_DAYS: u32 = 180;
/// A holding of yui points expires this many days after its last change.
pub const YUI_ROLLING_DAYS: u32 = 30;
/// Vouchers all expire this many days after genesis.
pub const VOUCHER_DAYS: u64 = 90;
/// The most vouchers one account may hold.
pub const VOUCHER_CAP: u64 = 65_000;
/// Festival points all expire this long after genesis.
pub const FESTIVAL_LIFETIME_MS: u64 = 20_000;
/// The welcome bonus: 1% of a charge, in points.
pub const CAMPAIGN_BPS: u32 = 100;
/// The welcome bonus's budget, in points.
pub const CAMPAIGN_BUDGET: u64 = 150;

/// The city hall: issues every asset and credentials, takes redemption
/// fees as the operator.
pub const CITY: &str = "city";
/// Where expired value goes.
pub const BREAKAGE: &str = "breakage";

/// Someone in the town, by name, with what they may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// The account's name on chain, and the key's name (`keys/<name>.json`).
    pub name: &'static str,
    /// Who this is, in a few words.
    pub about: &'static str,
    pub roles: Vec<Role>,
    /// A consortium member: proposes and votes on governance.
    pub member: bool,
}

/// When an asset's value expires, relative to the town's genesis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifetime {
    Never,
    /// Each lot this many days after it was received.
    DaysPerLot(u32),
    /// The whole holding this many days after its last change.
    RollingDays(u32),
    /// All of it this many milliseconds after genesis.
    AfterGenesisMs(u64),
}

/// An asset class of the town; the issuer, the fee account and the
/// breakage account are the town's ([`CITY`], [`CITY`], [`BREAKAGE`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TownAsset {
    pub id: &'static str,
    pub kind: AssetKind,
    pub transferable: bool,
    pub spendable_at: SpendScope,
    pub redeemable: bool,
    pub redeem_fee_bps: u32,
    /// 0: no cap.
    pub holding_cap: u64,
    pub lifetime: Lifetime,
    pub pay_priority: u32,
}

/// The town: its people, its money and its campaigns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Town {
    pub people: Vec<Person>,
    pub assets: Vec<TownAsset>,
    pub campaigns: Vec<Campaign>,
}

impl Default for Town {
    fn default() -> Self {
        Self::new()
    }
}

fn person(name: &'static str, about: &'static str, roles: Vec<Role>, member: bool) -> Person {
    Person {
        name,
        about,
        roles,
        member,
    }
}

impl Town {
    /// The town as Yui ships it.
    pub fn new() -> Self {
        let merchant = |c| vec![Role::Merchant(c)];
        let mut city_roles: Vec<Role> = [COIN, POINT, VOUCHER, YUI, FESTIVAL]
            .iter()
            .map(|a| Role::Issuer((*a).to_string()))
            .collect();
        city_roles.push(Role::CredentialIssuer);
        let people = vec![
            person(
                CITY,
                "city hall: validator, issuer of every asset and of credentials, operator",
                city_roles,
                true,
            ),
            person(
                "chamber",
                "chamber of commerce: validator, consortium member",
                vec![],
                true,
            ),
            person(
                "coord-kita",
                "coordinator of the north district: validator, consortium member",
                vec![Role::Coordinator],
                true,
            ),
            person(
                "coord-minami",
                "coordinator of the south district: validator",
                vec![Role::Coordinator],
                false,
            ),
            person(
                "coord-higashi",
                "coordinator of the east district: runs a node, voted in as a validator",
                vec![Role::Coordinator],
                false,
            ),
            person(
                "sakura-bakery",
                "small local bakery (small_local merchant)",
                merchant(MerchantClass::SmallLocal),
                false,
            ),
            person(
                "aeon-mall",
                "shopping centre (large merchant)",
                merchant(MerchantClass::Large),
                false,
            ),
            person(
                "library",
                "city library (public merchant)",
                merchant(MerchantClass::Public),
                false,
            ),
            person("hana", "resident", vec![], false),
            person("taro", "resident", vec![], false),
            person("emma", "digital resident", vec![], false),
            person(BREAKAGE, "where expired value goes", vec![], false),
            person("auditor", "the city's auditor", vec![], false),
        ];
        let asset = |id, kind, transferable, spendable_at, lifetime, pay_priority| TownAsset {
            id,
            kind,
            transferable,
            spendable_at,
            redeemable: false,
            redeem_fee_bps: 0,
            holding_cap: 0,
            lifetime,
            pay_priority,
        };
        let assets = vec![
            TownAsset {
                redeemable: true,
                redeem_fee_bps: COIN_FEE_BPS,
                ..asset(
                    COIN,
                    AssetKind::Coin,
                    true,
                    SpendScope::Anyone,
                    Lifetime::Never,
                    10,
                )
            },
            asset(
                POINT,
                AssetKind::Point,
                false,
                SpendScope::Merchants,
                Lifetime::DaysPerLot(POINT_DAYS),
                5,
            ),
            TownAsset {
                redeemable: true,
                holding_cap: VOUCHER_CAP,
                ..asset(
                    VOUCHER,
                    AssetKind::Voucher,
                    false,
                    SpendScope::MerchantClasses(vec![MerchantClass::SmallLocal]),
                    Lifetime::AfterGenesisMs(VOUCHER_DAYS * DAY_MS),
                    1,
                )
            },
            asset(
                YUI,
                AssetKind::Point,
                true,
                SpendScope::Anyone,
                Lifetime::RollingDays(YUI_ROLLING_DAYS),
                20,
            ),
            asset(
                FESTIVAL,
                AssetKind::Point,
                false,
                SpendScope::Merchants,
                Lifetime::AfterGenesisMs(FESTIVAL_LIFETIME_MS),
                3,
            ),
        ];
        Self {
            people,
            assets,
            campaigns: vec![Campaign {
                id: WELCOME_BONUS.into(),
                charge_asset: COIN.into(),
                bonus_asset: POINT.into(),
                rate_bps: CAMPAIGN_BPS,
                budget_remaining: CAMPAIGN_BUDGET,
            }],
        }
    }

    /// The same town whose consortium is exactly the people named (a
    /// single-node test's town: the city alone, whose proposals pass at once).
    pub fn with_members(mut self, names: &[&str]) -> Self {
        for p in &mut self.people {
            p.member = names.contains(&p.name);
        }
        self
    }

    /// A test's key for `name`: the ed25519 seed is SHA-256 of the name.
    /// Public knowledge: for tests only, never for a real network.
    pub fn test_key(name: &str) -> Keypair {
        Keypair::from_seed(sha256(name.as_bytes()))
    }

    /// Everyone's name, in the town's order.
    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.people.iter().map(|p| p.name)
    }

    pub fn person(&self, name: &str) -> Option<&Person> {
        self.people.iter().find(|p| p.name == name)
    }

    /// The consortium's members, in the town's order.
    pub fn members(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.people.iter().filter(|p| p.member).map(|p| p.name)
    }

    /// When the festival points expire, for a town that started at
    /// `genesis_time_ms`.
    pub fn festival_expiry_ms(genesis_time_ms: u64) -> u64 {
        genesis_time_ms.saturating_add(FESTIVAL_LIFETIME_MS)
    }

    /// The town's asset classes, with `key_of` giving each person's address.
    pub fn asset_classes(
        &self,
        key_of: impl Fn(&str) -> Address,
        genesis_time_ms: u64,
    ) -> Vec<AssetClass> {
        let (city, breakage) = (key_of(CITY), key_of(BREAKAGE));
        self.assets
            .iter()
            .map(|a| AssetClass {
                id: a.id.into(),
                kind: a.kind,
                issuers: vec![city],
                transferable: a.transferable,
                spendable_at: a.spendable_at.clone(),
                redeemable: a.redeemable,
                redeem_fee_bps: a.redeem_fee_bps,
                fee_account: city,
                holding_cap: a.holding_cap,
                expiry: match a.lifetime {
                    Lifetime::Never => ExpiryPolicy::None,
                    Lifetime::DaysPerLot(d) => ExpiryPolicy::DaysPerLot(d),
                    Lifetime::RollingDays(d) => ExpiryPolicy::RollingDays(d),
                    Lifetime::AfterGenesisMs(ms) => {
                        ExpiryPolicy::FixedDate(genesis_time_ms.saturating_add(ms))
                    }
                },
                breakage_account: breakage,
                pay_priority: a.pay_priority,
                required_credential: None,
            })
            .collect()
    }

    /// The town's genesis: `key_of` gives each person's address, and
    /// `validators` (name and key, power 1 each) decide the first blocks.
    /// Call [`Genesis::validate`] on the result before using it.
    pub fn genesis(
        &self,
        key_of: impl Fn(&str) -> Address,
        validators: &[(&str, Address)],
        chain_id: &str,
        genesis_time_ms: u64,
    ) -> Genesis {
        let accounts = self
            .people
            .iter()
            .map(|p| GenesisAccount {
                name: p.name.into(),
                address: key_of(p.name),
                roles: p.roles.clone(),
                member: p.member,
            })
            .collect();
        Genesis {
            chain_id: chain_id.into(),
            genesis_time_ms,
            validators: validators
                .iter()
                .map(|(name, key)| GenesisValidator {
                    name: (*name).into(),
                    public_key: *key,
                    power: 1,
                })
                .collect(),
            accounts,
            assets: self.asset_classes(key_of, genesis_time_ms),
            campaigns: self.campaigns.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn genesis() -> Genesis {
        let key = |n: &str| Town::test_key(n).address();
        Town::new().genesis(
            key,
            &[(CITY, key(CITY)), ("chamber", key("chamber"))],
            "yui-town",
            1_767_225_600_000,
        )
    }

    #[test]
    fn the_towns_genesis_is_valid_and_deterministic() {
        let g = genesis();
        assert_eq!(g.validate(), Ok(()));
        assert_eq!(g, genesis());
        assert_eq!(g.accounts.len(), Town::new().people.len());
        // Every asset has the city as its issuer, and the city holds the role.
        let city = &g.accounts[0];
        for a in &g.assets {
            assert_eq!(a.issuers, vec![city.address]);
            assert!(city.roles.contains(&Role::Issuer(a.id.clone())), "{}", a.id);
        }
        let fest = g.assets.iter().find(|a| a.id == FESTIVAL);
        assert_eq!(
            fest.map(|a| a.expiry.clone()),
            Some(ExpiryPolicy::FixedDate(Town::festival_expiry_ms(
                g.genesis_time_ms
            )))
        );
    }

    #[test]
    fn test_keys_differ_by_name_and_members_can_be_chosen() {
        assert_ne!(
            Town::test_key("hana").address(),
            Town::test_key("taro").address()
        );
        let t = Town::new();
        assert_eq!(
            t.members().collect::<Vec<_>>(),
            [CITY, "chamber", "coord-kita"]
        );
        let solo = t.with_members(&[CITY]);
        assert_eq!(solo.members().collect::<Vec<_>>(), [CITY]);
    }
}
