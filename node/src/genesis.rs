//! The genesis `yui-node init` writes for a town starting on its own: this
//! node's key is the only validator, the operator's account issues coins and
//! points. `yui-devnet` replaces it with a consortium's genesis.

use yui_ledger::genesis::{GenesisAccount, GenesisValidator};
use yui_ledger::{Address, AssetClass, AssetKind, ExpiryPolicy, Genesis, Role, SpendScope};

pub fn single_validator(chain_id: &str, name: &str, key: Address, time_ms: u64) -> Genesis {
    Genesis {
        chain_id: chain_id.into(),
        genesis_time_ms: time_ms,
        validators: vec![GenesisValidator {
            name: name.into(),
            public_key: key,
            power: 1,
        }],
        accounts: vec![GenesisAccount {
            name: name.into(),
            address: key,
            roles: vec![Role::Issuer("coin".into()), Role::Issuer("point".into())],
            member: true,
        }],
        assets: vec![
            AssetClass {
                id: "coin".into(),
                kind: AssetKind::Coin,
                issuers: vec![key],
                transferable: true,
                spendable_at: SpendScope::Anyone,
                redeemable: true,
                redeem_fee_bps: 150,
                fee_account: key,
                holding_cap: 0,
                expiry: ExpiryPolicy::None,
                breakage_account: key,
                pay_priority: 10,
                required_credential: None,
            },
            AssetClass {
                id: "point".into(),
                kind: AssetKind::Point,
                issuers: vec![key],
                transferable: false,
                spendable_at: SpendScope::Merchants,
                redeemable: true,
                redeem_fee_bps: 0,
                fee_account: key,
                holding_cap: 0,
                expiry: ExpiryPolicy::DaysPerLot(180),
                breakage_account: key,
                pay_priority: 0,
                required_credential: None,
            },
        ],
        campaigns: vec![],
    }
}
