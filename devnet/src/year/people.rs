//! Who lives in the simulated town, and its money: residents, merchants of
//! every class, the city, the chamber, the coordinators; the year's asset
//! classes and campaigns; and the genesis that gives them their roles.
//!
//! Generated people's keys are derived from the seed (SHA-256 of the seed
//! and the name): the year is demo data, its residents' keys are not secret.

use rand::Rng;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha20Rng;
use yui_ledger::asset::{AssetClass, AssetKind, Campaign, ExpiryPolicy, MerchantClass, SpendScope};
use yui_ledger::crypto::sha256;
use yui_ledger::genesis::{GenesisAccount, GenesisValidator};
use yui_ledger::{Address, Genesis, Keypair, Role};

pub const COIN: &str = "coin";
pub const POINT: &str = "point";
pub const VOUCHER: &str = "voucher";
pub const YUI: &str = "yui";
/// The launch campaign: 20 % bonus points on every charge until its budget is spent.
pub const LAUNCH_BONUS: &str = "launch-bonus";
/// The standing campaign: 1 % bonus points, with a budget that runs out in the autumn.
pub const CHARGE_BONUS: &str = "charge-bonus";
/// A premium voucher set: 10,000 yen (paid at the city hall) buys 13,000 in vouchers.
pub const VOUCHER_SET_VALUE: u64 = 13_000;
pub const VOUCHER_SETS_MAX: u64 = 5;
/// Days after the year's start when the vouchers all expire (31 December
/// for a year starting on 1 April).
pub const VOUCHER_EXPIRY_DAY: u64 = 275;
pub const POINT_DAYS: u32 = 180;
pub const YUI_ROLLING_DAYS: u32 = 60;
pub const COIN_FEE_BPS: u32 = 150;

/// A resident of the simulation and their habits.
pub struct Resident {
    pub key: Keypair,
    /// The day the resident starts using the wallet.
    pub joins: u32,
    /// A digital resident (e-Residency): no `resident` credential, so no vouchers.
    pub digital: bool,
    /// Yen charged a month, on average.
    pub monthly_charge: u64,
    /// How many voucher sets they buy (0..=5).
    pub voucher_sets: u64,
    /// Volunteers: earn yui points, post and take jobs.
    pub volunteer: bool,
}

pub struct Merchant {
    pub name: String,
    pub key: Keypair,
    pub class: MerchantClass,
    /// Relative weight of the shop in residents' choice (a supermarket
    /// draws more payments than a bakery).
    pub weight: u32,
}

pub struct People {
    pub residents: Vec<Resident>,
    pub merchants: Vec<Merchant>,
    pub city: Keypair,
    pub chamber: Keypair,
    pub coordinators: Vec<Keypair>,
    pub breakage: Keypair,
    /// The validators: name and key, in genesis order.
    pub validators: Vec<(String, Keypair)>,
    /// The other named accounts the devnet keeps key files for (auditor,
    /// hana, …), with their roles at genesis.
    pub named: Vec<(String, Keypair)>,
}

/// A key derived from the seed and a name.
pub fn derived_key(seed: u64, name: &str) -> Keypair {
    Keypair::from_seed(sha256(format!("yui-year/{seed}/{name}").as_bytes()))
}

/// Charge habits, yen a month: most residents charge a little, a few a lot
/// (Ain Pay's first quarter averaged about 17,000 yen a month per user).
const MONTHLY_CHARGE: [(u64, u32); 6] = [
    (5_000, 25),
    (10_000, 25),
    (15_000, 18),
    (20_000, 14),
    (30_000, 11),
    (50_000, 7),
];

impl People {
    pub fn generate(
        rng: &mut ChaCha20Rng,
        seed: u64,
        residents: usize,
        merchants: usize,
        key_of: impl Fn(&str) -> Keypair,
    ) -> Self {
        let residents = (0..residents)
            .map(|i| {
                // 40 % from the first day, the rest over the first half year.
                let joins = if rng.random_bool(0.4) {
                    0
                } else {
                    rng.random_range(1..183)
                };
                let monthly_charge = *MONTHLY_CHARGE
                    .choose_weighted(rng, |(_, w)| *w)
                    .map(|(y, _)| y)
                    .unwrap_or(&10_000);
                let digital = rng.random_bool(0.05);
                let voucher_sets = if !digital && rng.random_bool(0.35) {
                    rng.random_range(1..=VOUCHER_SETS_MAX)
                } else {
                    0
                };
                Resident {
                    key: derived_key(seed, &format!("resident-{i:05}")),
                    joins,
                    digital,
                    monthly_charge,
                    voucher_sets,
                    volunteer: rng.random_bool(0.25),
                }
            })
            .collect();
        // 70 % small local shops, 20 % large stores and chains, 10 % public
        // facilities; a large store draws about three times a small one's payments.
        let merchants = (0..merchants)
            .map(|i| {
                let (class, weight) = match i % 10 {
                    0..=6 => (MerchantClass::SmallLocal, rng.random_range(1..=3)),
                    7 | 8 => (MerchantClass::Large, rng.random_range(4..=8)),
                    _ => (MerchantClass::Public, rng.random_range(1..=2)),
                };
                let name = format!("shop-{i:03}-{}", class.as_str().replace('_', "-"));
                Merchant {
                    key: derived_key(seed, &name),
                    name,
                    class,
                    weight,
                }
            })
            .collect();
        let validators = ["city", "chamber", "coord-kita", "coord-minami"]
            .iter()
            .map(|n| (n.to_string(), key_of(n)))
            .collect();
        let named = ["auditor", "hana", "taro", "emma"]
            .iter()
            .map(|n| (n.to_string(), key_of(n)))
            .collect();
        Self {
            residents,
            merchants,
            city: key_of("city"),
            chamber: key_of("chamber"),
            coordinators: ["coord-kita", "coord-minami", "coord-higashi"]
                .iter()
                .map(|n| key_of(n))
                .collect(),
            breakage: key_of("breakage"),
            validators,
            named,
        }
    }

    /// The year's genesis: validators, the consortium, the merchants with
    /// their classes, the asset classes and the two campaigns.
    pub fn genesis(&self, chain_id: &str, start_ms: u64) -> anyhow::Result<Genesis> {
        let city = self.city.address();
        let issuer_roles = [COIN, POINT, VOUCHER, YUI]
            .iter()
            .map(|a| Role::Issuer((*a).to_string()))
            .chain([Role::CredentialIssuer]);
        let mut accounts = vec![
            account("city", city, issuer_roles.collect(), true),
            account("chamber", self.chamber.address(), vec![], true),
        ];
        for (i, (name, k)) in ["coord-kita", "coord-minami", "coord-higashi"]
            .iter()
            .zip(&self.coordinators)
            .enumerate()
        {
            accounts.push(account(name, k.address(), vec![Role::Coordinator], i == 0));
        }
        accounts.push(account("breakage", self.breakage.address(), vec![], false));
        for (name, k) in &self.named {
            accounts.push(account(name, k.address(), vec![], false));
        }
        for m in &self.merchants {
            accounts.push(account(
                &m.name,
                m.key.address(),
                vec![Role::Merchant(m.class)],
                false,
            ));
        }
        let residents = self.residents.len() as u64;
        let g = Genesis {
            chain_id: chain_id.into(),
            genesis_time_ms: start_ms,
            validators: self
                .validators
                .iter()
                .map(|(name, k)| GenesisValidator {
                    name: name.clone(),
                    public_key: k.address(),
                    power: 1,
                })
                .collect(),
            accounts,
            assets: self.assets(start_ms),
            campaigns: vec![
                Campaign {
                    id: LAUNCH_BONUS.into(),
                    charge_asset: COIN.into(),
                    bonus_asset: POINT.into(),
                    rate_bps: 2_000,
                    budget_remaining: residents * 1_500,
                },
                Campaign {
                    id: CHARGE_BONUS.into(),
                    charge_asset: COIN.into(),
                    bonus_asset: POINT.into(),
                    rate_bps: 100,
                    budget_remaining: residents * 1_000,
                },
            ],
        };
        g.validate().map_err(|e| anyhow::anyhow!(e))?;
        Ok(g)
    }

    fn assets(&self, start_ms: u64) -> Vec<AssetClass> {
        let (city, breakage) = (self.city.address(), self.breakage.address());
        let class = |id: &str, kind, transferable, spendable_at, expiry, pay_priority| AssetClass {
            id: id.into(),
            kind,
            issuers: vec![city],
            transferable,
            spendable_at,
            redeemable: true,
            redeem_fee_bps: 0,
            fee_account: city,
            holding_cap: 0,
            expiry,
            breakage_account: breakage,
            pay_priority,
            required_credential: None,
        };
        vec![
            AssetClass {
                redeem_fee_bps: COIN_FEE_BPS,
                ..class(
                    COIN,
                    AssetKind::Coin,
                    true,
                    SpendScope::Anyone,
                    ExpiryPolicy::None,
                    10,
                )
            },
            // Merchants redeem the points they take (the city pays them);
            // residents cannot, since only merchants redeem.
            class(
                POINT,
                AssetKind::Point,
                false,
                SpendScope::Merchants,
                ExpiryPolicy::DaysPerLot(POINT_DAYS),
                5,
            ),
            AssetClass {
                holding_cap: VOUCHER_SETS_MAX * VOUCHER_SET_VALUE,
                required_credential: Some("resident".into()),
                ..class(
                    VOUCHER,
                    AssetKind::Voucher,
                    false,
                    SpendScope::MerchantClasses(vec![MerchantClass::SmallLocal]),
                    ExpiryPolicy::FixedDate(
                        start_ms + VOUCHER_EXPIRY_DAY * yui_ledger::asset::DAY_MS,
                    ),
                    1,
                )
            },
            AssetClass {
                redeemable: false,
                ..class(
                    YUI,
                    AssetKind::Point,
                    true,
                    SpendScope::Anyone,
                    ExpiryPolicy::RollingDays(YUI_ROLLING_DAYS),
                    20,
                )
            },
        ]
    }
}

fn account(name: &str, address: Address, roles: Vec<Role>, member: bool) -> GenesisAccount {
    GenesisAccount {
        name: name.into(),
        address,
        roles,
        member,
    }
}
