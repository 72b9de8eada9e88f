//! The inputs of the test vectors (`vectors.rs`): a fixed key, parties,
//! one operation of every kind and a small genesis, with realistic values.

use yui_ledger::asset::{AssetClass, AssetKind, ExpiryPolicy, MerchantClass, SpendScope};
use yui_ledger::contract::ContractStatus;
use yui_ledger::crypto::sha256;
use yui_ledger::genesis::{GenesisAccount, GenesisValidator};
use yui_ledger::governance::GovAction;
use yui_ledger::state::Role;
use yui_ledger::{Address, Campaign, Expiry, Genesis, Keypair, Operation};

pub(crate) const CHAIN_ID: &str = "yui-vectors";
/// 2026-01-01T00:00:00Z in ms since the Unix epoch.
pub(crate) const T0: u64 = 1_767_225_600_000;
pub(crate) const DAY: u64 = 86_400_000;

/// The seed of the signing key every transaction vector uses: 0x00..=0x1f.
pub(crate) fn seed() -> [u8; 32] {
    std::array::from_fn(|i| i as u8)
}

pub(crate) fn signer() -> Keypair {
    Keypair::from_seed(seed())
}

/// Another party: the public key of the seed `[n; 32]`.
pub(crate) fn party(n: u8) -> Address {
    Keypair::from_seed([n; 32]).address()
}

pub(crate) fn hana() -> Address {
    party(0xa1)
}
pub(crate) fn sakura_bakery() -> Address {
    party(0xb1)
}
pub(crate) fn coordinator() -> Address {
    party(0xc1)
}
pub(crate) fn city() -> Address {
    party(0xc2)
}
pub(crate) fn operator() -> Address {
    party(0xc3)
}
pub(crate) fn new_validator() -> Address {
    party(0xd1)
}

pub(crate) fn s(t: &str) -> String {
    t.to_string()
}

/// A minimal WebAssembly module: magic and version only.
pub(crate) fn tiny_wasm() -> Vec<u8> {
    b"\0asm\x01\0\0\0".to_vec()
}

pub(crate) fn voucher_class() -> AssetClass {
    AssetClass {
        id: s("voucher-2026"),
        kind: AssetKind::Voucher,
        issuers: vec![city()],
        transferable: false,
        spendable_at: SpendScope::MerchantClasses(vec![MerchantClass::SmallLocal]),
        redeemable: true,
        redeem_fee_bps: 150,
        fee_account: operator(),
        holding_cap: 130_000,
        expiry: ExpiryPolicy::FixedDate(T0 + 180 * DAY),
        breakage_account: city(),
        pay_priority: 0,
        required_credential: Some(s("digital_resident")),
    }
}

pub(crate) fn point_class() -> AssetClass {
    AssetClass {
        id: s("point"),
        kind: AssetKind::Point,
        issuers: vec![city(), coordinator()],
        transferable: true,
        spendable_at: SpendScope::Anyone,
        redeemable: false,
        redeem_fee_bps: 0,
        fee_account: operator(),
        holding_cap: 0,
        expiry: ExpiryPolicy::DaysPerLot(180),
        breakage_account: city(),
        pay_priority: 1,
        required_credential: None,
    }
}

/// One governance action of every kind, named, in variant order.
pub(crate) fn gov_actions() -> Vec<(&'static str, GovAction)> {
    vec![
        (
            "add_validator",
            GovAction::AddValidator {
                name: s("coord-higashi"),
                public_key: new_validator(),
                power: 1,
                effective_height: 1_200,
            },
        ),
        (
            "remove_validator",
            GovAction::RemoveValidator {
                public_key: new_validator(),
                effective_height: 2_400,
            },
        ),
        (
            "grant_role",
            GovAction::GrantRole {
                account: coordinator(),
                role: Role::Issuer(s("point")),
            },
        ),
        (
            "revoke_role",
            GovAction::RevokeRole {
                account: sakura_bakery(),
                role: Role::Merchant(MerchantClass::Large),
            },
        ),
        (
            "define_asset",
            GovAction::DefineAsset {
                class: voucher_class(),
            },
        ),
        (
            "update_asset",
            GovAction::UpdateAsset {
                class: point_class(),
            },
        ),
        (
            "set_param",
            GovAction::SetParam {
                name: s("job_review_days"),
                value: 10,
            },
        ),
        (
            "set_member",
            GovAction::SetMember {
                account: coordinator(),
                member: true,
            },
        ),
        (
            "deploy_contract",
            GovAction::DeployContract {
                contract_id: s("voucher-sale"),
                code_hash: sha256(&tiny_wasm()),
                init_args: borsh::to_vec(&(50_000u64, 65_000u64, 5u32)).unwrap(),
                assets: vec![s("coin")],
                budget: vec![(s("voucher-2026"), 6_500_000)],
            },
        ),
        (
            "upgrade_contract",
            GovAction::UpgradeContract {
                contract_id: s("voucher-sale"),
                code_hash: sha256(&tiny_wasm()),
                migrate_args: vec![],
            },
        ),
        (
            "set_contract_status",
            GovAction::SetContractStatus {
                contract_id: s("civic-poll"),
                status: ContractStatus::Paused,
            },
        ),
        (
            "call_contract",
            GovAction::CallContract {
                contract_id: s("exchange"),
                method: s("set_rate"),
                args: borsh::to_vec(&(s("point"), s("coin"), 100u32)).unwrap(),
            },
        ),
        (
            "set_contract_budget",
            GovAction::SetContractBudget {
                contract_id: s("cleanup-day"),
                asset: s("point"),
                allotted: 100_000,
            },
        ),
    ]
}

/// One operation of every kind (and a proposal of every governance action),
/// named, in variant order.
pub(crate) fn operations() -> Vec<(String, Operation)> {
    let mut v: Vec<(String, Operation)> = vec![
        (
            s("charge"),
            Operation::Charge {
                to: hana(),
                asset: s("coin"),
                amount: 10_000,
                deposit_ref: s("bank-2026-0001"),
                campaign: Some(s("welcome-2026")),
            },
        ),
        (
            s("grant"),
            Operation::Grant {
                to: hana(),
                asset: s("point"),
                amount: 300,
                reason: s("清掃ボランティア（鴨川河川敷）"),
                event_id: None,
            },
        ),
        (
            s("transfer"),
            Operation::Transfer {
                to: hana(),
                asset: s("coin"),
                amount: 500,
            },
        ),
        (
            s("pay"),
            Operation::Pay {
                merchant: sakura_bakery(),
                invoice_id: s("SB-9"),
                amount: 250,
                assets: vec![s("point"), s("coin")],
            },
        ),
        (
            s("refund"),
            Operation::Refund {
                invoice_id: s("SB-9"),
                amount: 100,
            },
        ),
        (
            s("redeem"),
            Operation::Redeem {
                asset: s("coin"),
                amount: 5_000,
                payout_ref: s("payout-2026-01"),
            },
        ),
        (
            s("burn"),
            Operation::Burn {
                asset: s("point"),
                amount: 1,
            },
        ),
        (
            s("post_job"),
            Operation::PostJob {
                job_id: s("walk-dog-1"),
                asset: s("yui"),
                reward: 500,
                coordinator: coordinator(),
                accept_deadline_ms: T0 + 7 * DAY,
                required_credential: Some(s("digital_resident")),
                description_hash: sha256("犬の散歩を30分お願いします".as_bytes()),
            },
        ),
        (
            s("accept_job"),
            Operation::AcceptJob {
                job_id: s("walk-dog-1"),
            },
        ),
        (
            s("submit_job"),
            Operation::SubmitJob {
                job_id: s("walk-dog-1"),
                proof_hash: sha256(b"walked 30 minutes along the river"),
            },
        ),
        (
            s("approve_job"),
            Operation::ApproveJob {
                job_id: s("walk-dog-1"),
                rating: Some(5),
            },
        ),
        (
            s("cancel_job"),
            Operation::CancelJob {
                job_id: s("fence-2"),
            },
        ),
        (
            s("consent_cancel"),
            Operation::ConsentCancel {
                job_id: s("fence-2"),
            },
        ),
        (
            s("dispute_job"),
            Operation::DisputeJob {
                job_id: s("fence-2"),
                reason_hash: sha256("塗装が半分しか終わっていない".as_bytes()),
            },
        ),
        (
            s("resolve_job"),
            Operation::ResolveJob {
                job_id: s("fence-2"),
                to_worker: 300,
            },
        ),
        (
            s("issue_credential"),
            Operation::IssueCredential {
                credential_id: s("dr-emma-2026"),
                subject: hana(),
                kind: s("digital_resident"),
                valid_from_ms: T0,
                valid_until_ms: T0 + 365 * DAY,
                claims_digest: sha256(b"claims digest placeholder"),
            },
        ),
        (
            s("suspend_credential"),
            Operation::SuspendCredential {
                credential_id: s("dr-emma-2026"),
                reason: s("住所確認中"),
            },
        ),
        (
            s("reinstate_credential"),
            Operation::ReinstateCredential {
                credential_id: s("dr-emma-2026"),
            },
        ),
        (
            s("revoke_credential"),
            Operation::RevokeCredential {
                credential_id: s("dr-emma-2026"),
                reason: s("moved away"),
            },
        ),
        (
            s("grant_consent"),
            Operation::GrantConsent {
                party: coordinator(),
                scope: s("credentials"),
                expires_at_ms: Some(T0 + 30 * DAY),
            },
        ),
        (
            s("revoke_consent"),
            Operation::RevokeConsent {
                party: coordinator(),
                scope: s("credentials"),
            },
        ),
        (
            s("record_access"),
            Operation::RecordAccess {
                subject: hana(),
                scope: s("credentials"),
                purpose: s("求人応募の資格確認"),
            },
        ),
    ];
    for (i, (name, action)) in gov_actions().into_iter().enumerate() {
        v.push((
            format!("propose/{name}"),
            Operation::Propose {
                proposal_id: format!("p-2026-{:03}", i + 1),
                action,
                expires_at_ms: T0 + 14 * DAY,
            },
        ));
    }
    v.extend([
        (
            s("vote"),
            Operation::Vote {
                proposal_id: s("p-2026-001"),
                approve: true,
            },
        ),
        (
            s("upload_code"),
            Operation::UploadCode {
                code_hash: sha256(&tiny_wasm()),
                total_len: tiny_wasm().len() as u32,
                index: 0,
                chunk: tiny_wasm(),
            },
        ),
        (
            s("call_contract"),
            Operation::CallContract {
                contract_id: s("voucher-sale"),
                method: s("buy"),
                args: borsh::to_vec(&1u32).unwrap(),
                fuel_limit: 1_000_000,
                attach: vec![(s("coin"), 50_000)],
            },
        ),
    ]);
    v
}

/// Height expiries for even vectors, time expiries for odd ones.
pub(crate) fn expiry_of(i: u64) -> Expiry {
    if i.is_multiple_of(2) {
        Expiry::Height(1_000 + i)
    } else {
        Expiry::Time(T0 + 600_000 + i * 1_000)
    }
}

pub(crate) fn genesis() -> Genesis {
    let v = |n: u8, name: &str| GenesisValidator {
        name: s(name),
        public_key: party(n),
        power: 1,
    };
    Genesis {
        chain_id: s(CHAIN_ID),
        genesis_time_ms: T0,
        validators: vec![v(0xe1, "city-hall"), v(0xe2, "chamber")],
        accounts: vec![
            GenesisAccount {
                name: s("city"),
                address: city(),
                roles: vec![Role::Issuer(s("point")), Role::CredentialIssuer],
                member: true,
            },
            GenesisAccount {
                name: s("sakura-bakery"),
                address: sakura_bakery(),
                roles: vec![Role::Merchant(MerchantClass::SmallLocal)],
                member: false,
            },
            GenesisAccount {
                name: s("hana"),
                address: hana(),
                roles: vec![],
                member: false,
            },
        ],
        assets: vec![point_class()],
        campaigns: vec![Campaign {
            id: s("welcome-2026"),
            charge_asset: s("point"),
            bonus_asset: s("point"),
            rate_bps: 500,
            budget_remaining: 1_000_000,
        }],
    }
}
