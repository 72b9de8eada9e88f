//! The genesis document: chain id, start time, validators, the consortium's
//! accounts with their roles, asset classes and campaigns. Written once by
//! `yui-node init` (or `yui-devnet`) as JSON; its hash names the chain's start.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use crate::asset::{AssetClass, Campaign};
use crate::crypto::{Address, Hash, sha256};
use crate::exec::{BlockInfo, block_info_key};
use crate::governance::ValidatorInfo;
use crate::state::{Account, AssetState, ChainParams, Overlay, Role, StateRead, WriteSet, keys};

/// A validator at genesis.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct GenesisValidator {
    pub name: String,
    pub public_key: Address,
    pub power: u64,
}

/// An account at genesis, with its roles.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct GenesisAccount {
    pub name: String,
    pub address: Address,
    #[serde(default)]
    pub roles: Vec<Role>,
    /// Whether this account is a consortium member (votes on governance).
    #[serde(default)]
    pub member: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Genesis {
    pub chain_id: String,
    /// Block time of height 0, ms since the Unix epoch.
    pub genesis_time_ms: u64,
    pub validators: Vec<GenesisValidator>,
    pub accounts: Vec<GenesisAccount>,
    pub assets: Vec<AssetClass>,
    #[serde(default)]
    pub campaigns: Vec<Campaign>,
}

impl Genesis {
    pub fn from_json(s: &str) -> Result<Self, String> {
        let g: Genesis =
            serde_json::from_str(s).map_err(|e| format!("genesis is not valid JSON: {e}"))?;
        g.validate()?;
        Ok(g)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The hash that names this chain's start; block 1's parent.
    pub fn hash(&self) -> Hash {
        sha256(&borsh::to_vec(self).unwrap_or_default())
    }

    pub fn validate(&self) -> Result<(), String> {
        if self.chain_id.is_empty() || self.chain_id.len() > crate::limits::ID_LEN_MAX {
            return Err("chain_id must be 1..=64 bytes".into());
        }
        if self.validators.is_empty() {
            return Err("genesis needs at least one validator".into());
        }
        if self.validators.len() > crate::limits::VALIDATORS_MAX {
            return Err(format!(
                "genesis lists more than {} validators",
                crate::limits::VALIDATORS_MAX
            ));
        }
        for (i, v) in self.validators.iter().enumerate() {
            if v.power == 0 || v.power > crate::limits::VALIDATOR_POWER_MAX {
                return Err(format!(
                    "validator '{}' needs a power of 1..={}",
                    v.name,
                    crate::limits::VALIDATOR_POWER_MAX
                ));
            }
            if !crate::crypto::is_signing_key(&v.public_key) {
                return Err(format!(
                    "validator '{}' has a key that cannot sign (not a canonical ed25519 key of large order)",
                    v.name
                ));
            }
            if self.validators[..i]
                .iter()
                .any(|w| w.public_key == v.public_key)
            {
                return Err(format!("validator '{}' is listed twice", v.name));
            }
        }
        for (i, a) in self.accounts.iter().enumerate() {
            if self.accounts[..i].iter().any(|b| b.address == a.address) {
                return Err(format!("account '{}' is listed twice", a.name));
            }
        }
        for (i, a) in self.assets.iter().enumerate() {
            a.validate().map_err(|e| format!("asset '{}': {e}", a.id))?;
            if self.assets[..i].iter().any(|b| b.id == a.id) {
                return Err(format!("asset '{}' is defined twice", a.id));
            }
        }
        for c in &self.campaigns {
            for id in [&c.charge_asset, &c.bonus_asset] {
                if !self.assets.iter().any(|a| &a.id == id) {
                    return Err(format!("campaign '{}' names unknown asset '{id}'", c.id));
                }
            }
        }
        Ok(())
    }

    /// The state at height 0.
    pub fn state_writes<S: StateRead + ?Sized>(&self, empty: &S) -> WriteSet {
        let mut ov = Overlay::new(empty);
        ov.put_rec(keys::params(), &ChainParams::new(self.chain_id.clone()));
        let validators: Vec<ValidatorInfo> = self
            .validators
            .iter()
            .map(|v| ValidatorInfo {
                name: v.name.clone(),
                public_key: v.public_key,
                power: v.power,
            })
            .collect();
        ov.put_rec(keys::validators(), &validators);
        let mut members: Vec<Address> = self
            .accounts
            .iter()
            .filter(|a| a.member)
            .map(|a| a.address)
            .collect();
        members.sort();
        ov.put_rec(keys::members(), &members);
        ov.put_rec(
            block_info_key(),
            &BlockInfo {
                height: 0,
                time_ms: self.genesis_time_ms,
            },
        );
        for a in &self.accounts {
            let mut roles = a.roles.clone();
            roles.sort();
            roles.dedup();
            ov.put_rec(
                keys::account(&a.address),
                &Account {
                    nonce: 0,
                    roles,
                    name: a.name.clone(),
                },
            );
        }
        for a in &self.assets {
            ov.put_rec(
                keys::asset(&a.id),
                &AssetState {
                    class: a.clone(),
                    issued: 0,
                    burned: 0,
                    expired: 0,
                },
            );
        }
        for c in &self.campaigns {
            ov.put_rec(keys::campaign(&c.id), c);
        }
        ov.into_writes()
    }
}
