//! The consortium's governance: members, proposals and the actions they
//! carry out, the validator set, and the parameters governance may change.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use crate::asset::AssetClass;
use crate::contract::{CONTRACT_ASSETS_MAX, ContractStatus};
use crate::crypto::Address;
use crate::error::{Field, Rule, TxError};
use crate::limits;
use crate::state::Role;

/// A validator as the chain records it; the set in state is the one that
/// decides the next height.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct ValidatorInfo {
    pub name: String,
    pub public_key: Address,
    pub power: u64,
}

/// A change of the validator set waiting for its height.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum ValidatorChange {
    Add(ValidatorInfo),
    Remove(Address),
}

/// What an approved proposal does.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "action")]
pub enum GovAction {
    /// The validator signs from `effective_height` on.
    AddValidator {
        name: String,
        public_key: Address,
        power: u64,
        effective_height: u64,
    },
    /// The validator no longer signs from `effective_height` on.
    RemoveValidator {
        public_key: Address,
        effective_height: u64,
    },
    GrantRole {
        account: Address,
        role: Role,
    },
    RevokeRole {
        account: Address,
        role: Role,
    },
    /// A new asset class, with no supply yet.
    DefineAsset {
        class: AssetClass,
    },
    /// A new policy for an existing asset class (same id and kind); value
    /// already held keeps the expiries it has.
    UpdateAsset {
        class: AssetClass,
    },
    /// One of [`ChainParams`]'s governed values (see [`PARAMS`]).
    SetParam {
        name: String,
        value: u64,
    },
    /// Adds or removes a consortium member.
    SetMember {
        account: Address,
        member: bool,
    },
    /// Deploys uploaded code as contract `contract_id`: validates the code,
    /// opens its account, allots its budget (what it may mint, by asset),
    /// names the assets it may hold, and runs its `init` with `init_args`.
    DeployContract {
        contract_id: String,
        #[serde(with = "crate::crypto::hex32")]
        code_hash: [u8; 32],
        #[serde(with = "crate::crypto::hex_bytes")]
        init_args: Vec<u8>,
        assets: Vec<String>,
        budget: Vec<(String, u64)>,
    },
    /// Replaces a contract's code, keeping its storage, account and budget;
    /// runs `migrate` with `migrate_args` if the new code exports it.
    UpgradeContract {
        contract_id: String,
        #[serde(with = "crate::crypto::hex32")]
        code_hash: [u8; 32],
        #[serde(with = "crate::crypto::hex_bytes")]
        migrate_args: Vec<u8>,
    },
    /// Pauses, resumes or removes a contract.
    SetContractStatus {
        contract_id: String,
        status: ContractStatus,
    },
    /// Calls a contract's method as governance (caller: the all-zero
    /// address), e.g. to set an exchange rate.
    CallContract {
        contract_id: String,
        method: String,
        #[serde(with = "crate::crypto::hex_bytes")]
        args: Vec<u8>,
    },
    /// Adds to (or, with a smaller total, lowers to no less than what was
    /// granted) what a contract may mint of an asset.
    SetContractBudget {
        contract_id: String,
        asset: String,
        allotted: u64,
    },
}

impl GovAction {
    /// Checks field shapes that need no state.
    pub fn check_shape(&self) -> Result<(), TxError> {
        let id = |field: Field, s: &str| {
            if s.is_empty() || s.len() > limits::ID_LEN_MAX {
                return Err(TxError::length(field, 1, limits::ID_LEN_MAX));
            }
            Ok(())
        };
        let args = |a: &[u8]| {
            let max = yui_wasm_contracts::limits::INPUT_BYTES_MAX;
            if a.len() > max {
                return Err(TxError::length(Field::Args, 0, max));
            }
            Ok(())
        };
        match self {
            GovAction::AddValidator { name, power, .. } => {
                id(Field::ValidatorName, name)?;
                if *power == 0 || *power > limits::VALIDATOR_POWER_MAX {
                    return Err(TxError::Malformed(Rule::ValidatorPowerRange));
                }
                Ok(())
            }
            GovAction::DefineAsset { class } | GovAction::UpdateAsset { class } => class.validate(),
            GovAction::SetParam { name, .. } => id(Field::ParamName, name),
            GovAction::GrantRole { role, .. } | GovAction::RevokeRole { role, .. } => {
                if let Role::Issuer(a) = role {
                    id(Field::IssuerAsset, a)?;
                }
                Ok(())
            }
            GovAction::RemoveValidator { .. } | GovAction::SetMember { .. } => Ok(()),
            GovAction::DeployContract {
                contract_id,
                init_args,
                assets,
                budget,
                ..
            } => {
                id(Field::ContractId, contract_id)?;
                args(init_args)?;
                if assets.len() > CONTRACT_ASSETS_MAX || budget.len() > CONTRACT_ASSETS_MAX {
                    return Err(TxError::Malformed(Rule::TooManyContractAssets));
                }
                for (i, a) in assets.iter().enumerate() {
                    id(Field::Asset, a)?;
                    if assets[..i].contains(a) {
                        return Err(TxError::Malformed(Rule::DuplicateAsset));
                    }
                }
                for (i, (a, _)) in budget.iter().enumerate() {
                    id(Field::Asset, a)?;
                    if budget[..i].iter().any(|(b, _)| b == a) {
                        return Err(TxError::Malformed(Rule::DuplicateAsset));
                    }
                }
                Ok(())
            }
            GovAction::UpgradeContract {
                contract_id,
                migrate_args,
                ..
            } => {
                id(Field::ContractId, contract_id)?;
                args(migrate_args)
            }
            GovAction::SetContractStatus { contract_id, .. } => id(Field::ContractId, contract_id),
            GovAction::CallContract {
                contract_id,
                method,
                args: a,
            } => {
                id(Field::ContractId, contract_id)?;
                id(Field::Method, method)?;
                args(a)
            }
            GovAction::SetContractBudget {
                contract_id, asset, ..
            } => {
                id(Field::ContractId, contract_id)?;
                id(Field::Asset, asset)
            }
        }
    }

    /// Whether carrying it out runs contract code (`init`, `migrate` or a
    /// governance call), which a block's fuel budget must count.
    pub fn runs_contract(&self) -> bool {
        matches!(
            self,
            GovAction::DeployContract { .. }
                | GovAction::UpgradeContract { .. }
                | GovAction::CallContract { .. }
        )
    }

    pub fn name(&self) -> &'static str {
        match self {
            GovAction::AddValidator { .. } => "add_validator",
            GovAction::RemoveValidator { .. } => "remove_validator",
            GovAction::GrantRole { .. } => "grant_role",
            GovAction::RevokeRole { .. } => "revoke_role",
            GovAction::DefineAsset { .. } => "define_asset",
            GovAction::UpdateAsset { .. } => "update_asset",
            GovAction::SetParam { .. } => "set_param",
            GovAction::SetMember { .. } => "set_member",
            GovAction::DeployContract { .. } => "deploy_contract",
            GovAction::UpgradeContract { .. } => "upgrade_contract",
            GovAction::SetContractStatus { .. } => "set_contract_status",
            GovAction::CallContract { .. } => "call_contract",
            GovAction::SetContractBudget { .. } => "set_contract_budget",
        }
    }

    /// One line for people: what the proposal would do.
    pub fn describe(&self) -> String {
        match self {
            GovAction::AddValidator {
                name,
                public_key,
                power,
                effective_height,
            } => format!(
                "add validator '{name}' ({}, power {power}) from height {effective_height}",
                &public_key.to_hex()[..12]
            ),
            GovAction::RemoveValidator {
                public_key,
                effective_height,
            } => format!(
                "remove validator {} from height {effective_height}",
                &public_key.to_hex()[..12]
            ),
            GovAction::GrantRole { account, role } => {
                format!("grant {} to {}", role.describe(), &account.to_hex()[..12])
            }
            GovAction::RevokeRole { account, role } => {
                format!(
                    "revoke {} from {}",
                    role.describe(),
                    &account.to_hex()[..12]
                )
            }
            GovAction::DefineAsset { class } => format!("define asset '{}'", class.id),
            GovAction::UpdateAsset { class } => {
                format!("change the policy of asset '{}'", class.id)
            }
            GovAction::SetParam { name, value } => format!("set {name} to {value}"),
            GovAction::SetMember { account, member } => {
                let who = &account.to_hex()[..12];
                if *member {
                    format!("add {who} to the consortium")
                } else {
                    format!("remove {who} from the consortium")
                }
            }
            GovAction::DeployContract {
                contract_id,
                code_hash,
                budget,
                ..
            } => {
                let b: Vec<String> = budget.iter().map(|(a, n)| format!("{n} {a}")).collect();
                format!(
                    "deploy contract '{contract_id}' (code {}) with a budget of {}",
                    &hex::encode(code_hash)[..12],
                    if b.is_empty() {
                        "nothing".into()
                    } else {
                        b.join(", ")
                    }
                )
            }
            GovAction::UpgradeContract {
                contract_id,
                code_hash,
                ..
            } => format!(
                "upgrade contract '{contract_id}' to code {}",
                &hex::encode(code_hash)[..12]
            ),
            GovAction::SetContractStatus {
                contract_id,
                status,
            } => format!("set contract '{contract_id}' {}", status.as_str()),
            GovAction::CallContract {
                contract_id,
                method,
                ..
            } => format!("call '{method}' of contract '{contract_id}' as governance"),
            GovAction::SetContractBudget {
                contract_id,
                asset,
                allotted,
            } => format!("allot contract '{contract_id}' {allotted} {asset} in all"),
        }
    }
}

/// Where a proposal stands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum ProposalState {
    /// Collecting votes.
    Open,
    /// Reached the threshold and its action took effect.
    Executed,
    /// Reached the threshold but its action could not be carried out
    /// (`failure` says why); nothing changed.
    Failed,
    /// Enough members voted against that it can no longer pass.
    Rejected,
    /// Its expiry passed before it reached the threshold.
    Expired,
}

impl ProposalState {
    pub fn as_str(&self) -> &'static str {
        match self {
            ProposalState::Open => "open",
            ProposalState::Executed => "executed",
            ProposalState::Failed => "failed",
            ProposalState::Rejected => "rejected",
            ProposalState::Expired => "expired",
        }
    }
}

/// A governance proposal and its votes.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Proposal {
    pub id: String,
    pub proposer: Address,
    pub action: GovAction,
    /// Block time at which an open proposal expires.
    pub expires_at_ms: u64,
    pub created_height: u64,
    pub created_ms: u64,
    /// Members who approved, in voting order (the proposer first).
    pub approvals: Vec<Address>,
    /// Members who voted against, in voting order.
    pub rejections: Vec<Address>,
    pub state: ProposalState,
    pub closed_height: Option<u64>,
    pub closed_ms: Option<u64>,
    /// Why its action failed, when it closed as failed.
    pub failure: Option<TxError>,
}

/// Chain-wide parameters. `chain_id` is fixed; the others are governed.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct ChainParams {
    pub chain_id: String,
    /// Days a job's poster has to answer a submission before the reward is
    /// released to the worker.
    pub job_review_days: u64,
    /// A proposal passes when approvals × den > members × num (default: more
    /// than two thirds).
    pub approval_threshold_num: u64,
    pub approval_threshold_den: u64,
    /// Longest a proposal may stay open.
    pub proposal_ttl_max_days: u64,
    /// Fewest blocks between a validator change's approval and its effect.
    pub validator_change_delay_min: u64,
    /// Most fuel one contract call may burn.
    #[serde(default = "default_contract_fuel_max")]
    pub contract_fuel_max: u64,
}

fn default_contract_fuel_max() -> u64 {
    5_000_000
}

/// The governed parameters with their allowed ranges (inclusive).
pub const PARAMS: &[(&str, u64, u64)] = &[
    ("job_review_days", 1, 365),
    ("approval_threshold_num", 1, 1_000),
    ("approval_threshold_den", 1, 1_000),
    ("proposal_ttl_max_days", 1, 365),
    ("validator_change_delay_min", 2, 100_000),
    (
        "contract_fuel_max",
        10_000,
        yui_wasm_contracts::limits::FUEL_PER_CALL_MAX,
    ),
];

impl ChainParams {
    pub fn new(chain_id: String) -> Self {
        Self {
            chain_id,
            job_review_days: 7,
            approval_threshold_num: 2,
            approval_threshold_den: 3,
            proposal_ttl_max_days: 30,
            validator_change_delay_min: 2,
            contract_fuel_max: default_contract_fuel_max(),
        }
    }

    /// Sets a governed parameter by name, checking its range and that the
    /// threshold stays a fraction below one.
    pub fn set(&mut self, name: &str, value: u64) -> Result<(), TxError> {
        let Some(&(_, lo, hi)) = PARAMS.iter().find(|(n, _, _)| *n == name) else {
            return Err(TxError::UnknownParam(name.into()));
        };
        if !(lo..=hi).contains(&value) {
            return Err(TxError::ParamRange {
                name: name.into(),
                lo,
                hi,
            });
        }
        let mut next = self.clone();
        if let Some(field) = next.field(name) {
            *field = value;
        }
        if next.approval_threshold_num >= next.approval_threshold_den {
            return Err(TxError::Governance(Rule::ThresholdNotBelowOne));
        }
        *self = next;
        Ok(())
    }

    /// A governed parameter by name (see [`PARAMS`]).
    pub fn get(&self, name: &str) -> Option<u64> {
        self.clone().field(name).map(|v| *v)
    }

    /// The one place that maps a governed parameter's name to its field.
    fn field(&mut self, name: &str) -> Option<&mut u64> {
        Some(match name {
            "job_review_days" => &mut self.job_review_days,
            "approval_threshold_num" => &mut self.approval_threshold_num,
            "approval_threshold_den" => &mut self.approval_threshold_den,
            "proposal_ttl_max_days" => &mut self.proposal_ttl_max_days,
            "validator_change_delay_min" => &mut self.validator_change_delay_min,
            "contract_fuel_max" => &mut self.contract_fuel_max,
            _ => return None,
        })
    }

    /// Whether `approvals` of `members` pass a proposal.
    pub fn passes(&self, approvals: u64, members: u64) -> bool {
        u128::from(approvals) * u128::from(self.approval_threshold_den)
            > u128::from(members) * u128::from(self.approval_threshold_num)
    }

    /// The fewest approvals that pass a proposal among `members`.
    pub fn approvals_needed(&self, members: u64) -> u64 {
        (0..=members)
            .find(|a| self.passes(*a, members))
            .unwrap_or(members.saturating_add(1))
    }
}
