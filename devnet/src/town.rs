//! The devnet's town: the people, shops and institutions, their keys, and the
//! genesis that gives them roles and defines the town's money.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use yui_cli::{keyfile, now_ms};
use yui_ledger::genesis::{GenesisAccount, GenesisValidator};
use yui_ledger::{
    AssetClass, AssetKind, Campaign, ExpiryPolicy, Genesis, Keypair, MerchantClass, Role,
    SpendScope,
};

/// Who is in the town, in the order keys are made.
pub const PEOPLE: &[(&str, &str)] = &[
    (
        "city",
        "city hall: validator, issuer of coins and points, operator",
    ),
    ("chamber", "chamber of commerce: consortium member"),
    ("coord-kita", "coordinator of the north district"),
    ("coord-minami", "coordinator of the south district"),
    (
        "coord-higashi",
        "coordinator of the east district: runs a node, voted in as a validator",
    ),
    ("sakura-bakery", "small local bakery (small_local merchant)"),
    ("aeon-mall", "shopping centre (large merchant)"),
    ("library", "city library (public merchant)"),
    ("hana", "resident"),
    ("taro", "resident"),
    ("emma", "digital resident"),
    ("breakage", "where expired value goes"),
    ("auditor", "the city's auditor"),
];

/// How long the devnet's festival points live, from genesis.
pub const FESTIVAL_LIFETIME_MS: u64 = 20_000;

pub struct Town {
    dir: PathBuf,
    keys: BTreeMap<String, Keypair>,
    genesis_time_ms: u64,
    /// Each node's name and gRPC address, once started.
    pub endpoints: Vec<(String, String)>,
}

impl Town {
    /// Makes a key for everyone (files in `<dir>/keys`, mode 0600).
    pub fn create(dir: &Path) -> anyhow::Result<Self> {
        let kdir = dir.join("keys");
        std::fs::create_dir_all(&kdir)?;
        let mut keys = BTreeMap::new();
        for (name, _) in PEOPLE {
            let k = keyfile::generate()?;
            keyfile::write(&kdir.join(format!("{name}.json")), &k)?;
            keys.insert(name.to_string(), k);
        }
        Ok(Self {
            dir: dir.to_path_buf(),
            keys,
            genesis_time_ms: now_ms(),
            endpoints: Vec::new(),
        })
    }

    pub fn key(&self, name: &str) -> &Keypair {
        // Every name used by the devnet is in PEOPLE.
        &self.keys[name]
    }

    pub fn name_of(&self, addr: &[u8]) -> String {
        self.keys
            .iter()
            .find(|(_, k)| k.address().0.as_slice() == addr)
            .map_or_else(
                || hex::encode(addr).chars().take(8).collect(),
                |(n, _)| n.clone(),
            )
    }

    /// The validators of this devnet.
    pub fn validator_names(&self) -> Vec<String> {
        ["city", "chamber", "coord-kita", "coord-minami"]
            .map(String::from)
            .to_vec()
    }

    /// Uses the key `yui-node init` made for a validator as that person's key.
    pub fn adopt_node_key(&mut self, name: &str, home: &Path) -> anyhow::Result<()> {
        let k = keyfile::read(&home.join("node_key.json"))?;
        let path = self.dir.join("keys").join(format!("{name}.json"));
        if path.exists() {
            std::fs::remove_file(&path)?;
        }
        keyfile::write(&path, &k)?;
        self.keys.insert(name.to_string(), k);
        Ok(())
    }

    pub fn festival_expiry_ms(&self) -> u64 {
        self.genesis_time_ms + FESTIVAL_LIFETIME_MS
    }

    pub fn genesis(&self) -> anyhow::Result<Genesis> {
        let a = |n: &str| self.key(n).address();
        let city = a("city");
        let asset = |id: &str, kind, transferable, spendable_at, redeemable, fee, expiry, prio| {
            AssetClass {
                id: id.into(),
                kind,
                issuers: vec![city],
                transferable,
                spendable_at,
                redeemable,
                redeem_fee_bps: fee,
                fee_account: city,
                holding_cap: 0,
                expiry,
                breakage_account: a("breakage"),
                pay_priority: prio,
                required_credential: None,
            }
        };
        let merchants = SpendScope::Merchants;
        let mut voucher = asset(
            "voucher",
            AssetKind::Voucher,
            false,
            SpendScope::MerchantClasses(vec![MerchantClass::SmallLocal]),
            true,
            0,
            ExpiryPolicy::FixedDate(self.genesis_time_ms + 180 * yui_ledger::asset::DAY_MS),
            1,
        );
        voucher.holding_cap = 65_000;
        // Premium vouchers are for residents: only holders of an active
        // `resident` credential may receive them.
        voucher.required_credential = Some("resident".into());
        let assets = vec![
            asset(
                "coin",
                AssetKind::Coin,
                true,
                SpendScope::Anyone,
                true,
                150,
                ExpiryPolicy::None,
                10,
            ),
            asset(
                "point",
                AssetKind::Point,
                false,
                merchants.clone(),
                true,
                0,
                ExpiryPolicy::DaysPerLot(180),
                0,
            ),
            asset(
                "festival",
                AssetKind::Point,
                false,
                merchants,
                true,
                0,
                ExpiryPolicy::FixedDate(self.festival_expiry_ms()),
                0,
            ),
            voucher,
            // 結 points: mutual-aid points neighbours earn by volunteering and
            // pay each other for small jobs; they expire a year after receipt.
            asset(
                "yui",
                AssetKind::Point,
                true,
                SpendScope::Anyone,
                false,
                0,
                ExpiryPolicy::DaysPerLot(365),
                0,
            ),
        ];
        let acct = |n: &str, roles: Vec<Role>, member: bool| GenesisAccount {
            name: n.into(),
            address: a(n),
            roles,
            member,
        };
        let issuer_roles = vec![
            Role::CredentialIssuer,
            Role::Issuer("coin".into()),
            Role::Issuer("point".into()),
            Role::Issuer("festival".into()),
            Role::Issuer("voucher".into()),
            Role::Issuer("yui".into()),
        ];
        let accounts = vec![
            acct("city", issuer_roles, true),
            acct("chamber", vec![], true),
            acct("coord-kita", vec![Role::Coordinator], true),
            acct("coord-minami", vec![Role::Coordinator], true),
            acct("coord-higashi", vec![Role::Coordinator], false),
            acct(
                "sakura-bakery",
                vec![Role::Merchant(MerchantClass::SmallLocal)],
                false,
            ),
            acct(
                "aeon-mall",
                vec![Role::Merchant(MerchantClass::Large)],
                false,
            ),
            acct(
                "library",
                vec![Role::Merchant(MerchantClass::Public)],
                false,
            ),
            acct("hana", vec![], false),
            acct("taro", vec![], false),
            acct("emma", vec![], false),
            acct("breakage", vec![], false),
            acct("auditor", vec![], false),
        ];
        let validators = self
            .validator_names()
            .iter()
            .map(|n| GenesisValidator {
                name: n.clone(),
                public_key: a(n),
                power: 1,
            })
            .collect();
        let g = Genesis {
            chain_id: "yui-devnet".into(),
            genesis_time_ms: self.genesis_time_ms,
            validators,
            accounts,
            assets,
            campaigns: vec![Campaign {
                id: "welcome-bonus".into(),
                charge_asset: "coin".into(),
                bonus_asset: "point".into(),
                rate_bps: 100,
                budget_remaining: 150,
            }],
        };
        g.validate().map_err(|e| anyhow::anyhow!(e))?;
        Ok(g)
    }
}
