//! Golden bytes of everything validators and auditors must agree on: one
//! signed transaction of every operation (and every governance action), one
//! receipt of every event and of every refusal, every rule code, the main
//! state records and a block header — each as its exact borsh bytes and
//! SHA-256, compared with `ledger/tests/golden/consensus-bytes.txt`.
//!
//! A difference is a format change: if it is deliberate, record it in
//! `docs/adr/0004-consensus-critical-bytes.md` and regenerate the file with
//! `YUI_BLESS_GOLDEN=1 cargo test -p yui-ledger golden`. Coverage is checked
//! from the encoding itself: borsh writes an enum's variant as its index, so
//! the samples of each enum must use every index from 0 up, and the next
//! index must be refused as an unknown variant. A new variant without a
//! sample fails here.

use std::collections::BTreeSet;

use borsh::{BorshDeserialize, BorshSerialize};
use yui_ledger::asset::{AssetClass, AssetKind, ExpiryPolicy, MerchantClass, SpendScope};
use yui_ledger::contract::{Budget, Contract, ContractStatus};
use yui_ledger::credential::{
    Access, Consent, Credential, CredentialAction, CredentialStatus, CredentialStep,
};
use yui_ledger::crypto::{SignatureError, sha256};
use yui_ledger::error::{
    ConsentGap, Field, Quantity, Requirement, RoleNeeded, Rule, StateError, TxError,
};
use yui_ledger::governance::{GovAction, Proposal, ProposalState};
use yui_ledger::receipt::{MintSource, SkippedChange};
use yui_ledger::state::{Account, Holding, Job, JobAction, JobState, JobStep, Lot, Role};
use yui_ledger::{
    Address, BlockHeader, Event, Expiry, Keypair, Operation, Receipt, SignedTransaction,
    Transaction,
};
use yui_wasm_contracts::{CallFailure, CodeError};

const GOLDEN_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/golden/consensus-bytes.txt"
);

fn a(n: u8) -> Address {
    Address([n; 32])
}

fn s(t: &str) -> String {
    t.to_string()
}

/// The first byte of an enum value's encoding: its variant index.
fn tag<T: BorshSerialize>(v: &T) -> u8 {
    borsh::to_vec(v).expect("encodes")[0]
}

/// The number of variants of a borsh enum, read from the decoder: the
/// smallest index it refuses as an unknown variant.
fn variant_count<T: BorshDeserialize>() -> u8 {
    (0..=255u8)
        .find(|n| {
            matches!(borsh::from_slice::<T>(&[*n]),
                Err(e) if e.to_string().contains("Unexpected variant tag"))
        })
        .expect("an enum with fewer than 256 variants")
}

/// Asserts that `samples` use every variant of `T` at least once.
fn covers_every_variant<T: BorshSerialize + BorshDeserialize>(what: &str, samples: &[T]) {
    let used: BTreeSet<u8> = samples.iter().map(tag).collect();
    let all: BTreeSet<u8> = (0..variant_count::<T>()).collect();
    let missing: Vec<u8> = all.difference(&used).copied().collect();
    assert!(
        missing.is_empty(),
        "{what}: no golden sample of variant index {missing:?}; add one"
    );
}

fn class() -> AssetClass {
    AssetClass {
        id: s("yui-point"),
        kind: AssetKind::Point,
        issuers: vec![a(1)],
        transferable: true,
        spendable_at: SpendScope::MerchantClasses(vec![MerchantClass::SmallLocal]),
        redeemable: false,
        redeem_fee_bps: 0,
        fee_account: a(2),
        holding_cap: 50_000,
        expiry: ExpiryPolicy::DaysPerLot(180),
        breakage_account: a(3),
        pay_priority: 1,
        required_credential: Some(s("resident")),
    }
}

fn gov_actions() -> Vec<GovAction> {
    vec![
        GovAction::AddValidator {
            name: s("coord-higashi"),
            public_key: a(4),
            power: 1,
            effective_height: 50,
        },
        GovAction::RemoveValidator {
            public_key: a(5),
            effective_height: 60,
        },
        GovAction::GrantRole {
            account: a(6),
            role: Role::Merchant(MerchantClass::SmallLocal),
        },
        GovAction::RevokeRole {
            account: a(6),
            role: Role::Issuer(s("coin")),
        },
        GovAction::DefineAsset { class: class() },
        GovAction::UpdateAsset { class: class() },
        GovAction::SetParam {
            name: s("job_review_days"),
            value: 5,
        },
        GovAction::SetMember {
            account: a(7),
            member: true,
        },
        GovAction::DeployContract {
            contract_id: s("cleanup-day"),
            code_hash: [40; 32],
            init_args: vec![1, 2, 3],
            assets: vec![s("coin")],
            budget: vec![(s("yui-point"), 50_000)],
        },
        GovAction::UpgradeContract {
            contract_id: s("cleanup-day"),
            code_hash: [41; 32],
            migrate_args: vec![],
        },
        GovAction::SetContractStatus {
            contract_id: s("cleanup-day"),
            status: ContractStatus::Paused,
        },
        GovAction::CallContract {
            contract_id: s("exchange"),
            method: s("set_rate"),
            args: vec![4, 5],
        },
        GovAction::SetContractBudget {
            contract_id: s("cleanup-day"),
            asset: s("yui-point"),
            allotted: 60_000,
        },
    ]
}

fn operations() -> Vec<Operation> {
    let mut ops = vec![
        Operation::Charge {
            to: a(10),
            asset: s("coin"),
            amount: 10_000,
            deposit_ref: s("bank-2026-0001"),
            campaign: Some(s("welcome")),
        },
        Operation::Grant {
            to: a(10),
            asset: s("yui-point"),
            amount: 300,
            reason: s("清掃ボランティア"),
            event_id: Some(s("cleanup-2026")),
        },
        Operation::Transfer {
            to: a(11),
            asset: s("coin"),
            amount: 500,
        },
        Operation::Pay {
            merchant: a(12),
            invoice_id: s("SB-9"),
            amount: 250,
            assets: vec![s("point"), s("coin")],
        },
        Operation::Refund {
            invoice_id: s("SB-9"),
            amount: 100,
        },
        Operation::Redeem {
            asset: s("coin"),
            amount: 5_000,
            payout_ref: s("payout-7"),
        },
        Operation::Burn {
            asset: s("coin"),
            amount: 1,
        },
        Operation::PostJob {
            job_id: s("walk-dog-1"),
            asset: s("yui"),
            reward: 500,
            coordinator: a(13),
            accept_deadline_ms: 1_767_225_600_000,
            required_credential: Some(s("digital_resident")),
            description_hash: [14; 32],
        },
        Operation::AcceptJob {
            job_id: s("walk-dog-1"),
        },
        Operation::SubmitJob {
            job_id: s("walk-dog-1"),
            proof_hash: [15; 32],
        },
        Operation::ApproveJob {
            job_id: s("walk-dog-1"),
            rating: Some(5),
        },
        Operation::CancelJob { job_id: s("fence") },
        Operation::ConsentCancel { job_id: s("fence") },
        Operation::DisputeJob {
            job_id: s("fence"),
            reason_hash: [16; 32],
        },
        Operation::ResolveJob {
            job_id: s("fence"),
            to_worker: 300,
        },
        Operation::IssueCredential {
            credential_id: s("dr-emma-2026"),
            subject: a(17),
            kind: s("digital_resident"),
            valid_from_ms: 1_767_225_600_000,
            valid_until_ms: 1_798_761_600_000,
            claims_digest: [18; 32],
        },
        Operation::SuspendCredential {
            credential_id: s("dr-emma-2026"),
            reason: s("address check"),
        },
        Operation::ReinstateCredential {
            credential_id: s("dr-emma-2026"),
        },
        Operation::RevokeCredential {
            credential_id: s("dr-emma-2026"),
            reason: s("moved away"),
        },
        Operation::GrantConsent {
            party: a(19),
            scope: s("credentials"),
            expires_at_ms: Some(1_798_761_600_000),
        },
        Operation::RevokeConsent {
            party: a(19),
            scope: s("credentials"),
        },
        Operation::RecordAccess {
            subject: a(17),
            scope: s("credentials"),
            purpose: s("job matching"),
        },
        Operation::Vote {
            proposal_id: s("add-higashi"),
            approve: true,
        },
        Operation::UploadCode {
            code_hash: [40; 32],
            total_len: 4_855,
            index: 1,
            chunk: vec![0, 97, 115, 109],
        },
        Operation::CallContract {
            contract_id: s("voucher-sale"),
            method: s("buy"),
            args: vec![1, 0, 0, 0],
            fuel_limit: 1_000_000,
            attach: vec![(s("coin"), 10_000)],
        },
    ];
    for (i, action) in gov_actions().into_iter().enumerate() {
        ops.push(Operation::Propose {
            proposal_id: format!("p-{i}"),
            action,
            expires_at_ms: 1_767_830_400_000,
        });
    }
    ops
}

fn events() -> Vec<Event> {
    vec![
        Event::Minted {
            asset: s("coin"),
            to: a(10),
            amount: 10_000,
            source: MintSource::Charge,
            expires_at: None,
        },
        Event::Minted {
            asset: s("point"),
            to: a(10),
            amount: 100,
            source: MintSource::Bonus {
                campaign: s("welcome"),
            },
            expires_at: Some(1_782_777_600_000),
        },
        Event::Minted {
            asset: s("yui-point"),
            to: a(10),
            amount: 300,
            source: MintSource::Grant {
                reason: s("清掃ボランティア"),
            },
            expires_at: None,
        },
        Event::Transferred {
            asset: s("coin"),
            from: a(10),
            to: a(11),
            amount: 500,
        },
        Event::Paid {
            merchant: a(12),
            payer: a(10),
            invoice_id: s("SB-9"),
            parts: vec![(s("point"), 50), (s("coin"), 200)],
        },
        Event::Refunded {
            merchant: a(12),
            payer: a(10),
            invoice_id: s("SB-9"),
            parts: vec![(s("coin"), 100)],
        },
        Event::Redeemed {
            merchant: a(12),
            asset: s("coin"),
            amount: 5_000,
            fee: 90,
            fee_account: a(2),
            payout_ref: s("payout-7"),
        },
        Event::Burned {
            asset: s("coin"),
            from: a(10),
            amount: 1,
        },
        Event::Expired {
            asset: s("festival"),
            account: a(10),
            amount: 300,
            breakage_account: a(3),
        },
        Event::CampaignExhausted {
            campaign: s("welcome"),
        },
        Event::JobPosted {
            job_id: s("j"),
            poster: a(20),
            coordinator: a(13),
            asset: s("yui"),
            reward: 500,
        },
        Event::JobAccepted {
            job_id: s("j"),
            poster: a(20),
            worker: a(21),
        },
        Event::JobSubmitted {
            job_id: s("j"),
            poster: a(20),
            worker: a(21),
            proof_hash: [15; 32],
        },
        Event::JobPaid {
            job_id: s("j"),
            poster: a(20),
            worker: a(21),
            asset: s("yui"),
            amount: 500,
            rating: Some(4),
        },
        Event::JobCancelConsented {
            job_id: s("j"),
            poster: a(20),
            worker: a(21),
        },
        Event::JobCancelled {
            job_id: s("j"),
            poster: a(20),
            worker: Some(a(21)),
            by: a(13),
            asset: s("yui"),
            refunded: 500,
        },
        Event::JobDisputed {
            job_id: s("j"),
            poster: a(20),
            worker: a(21),
            by: a(20),
            reason_hash: [16; 32],
        },
        Event::JobResolved {
            job_id: s("j"),
            poster: a(20),
            worker: a(21),
            coordinator: a(13),
            asset: s("yui"),
            to_worker: 300,
            to_poster: 200,
        },
        Event::JobExpired {
            job_id: s("j"),
            poster: a(20),
            asset: s("yui"),
            refunded: 500,
        },
        Event::JobAutoReleased {
            job_id: s("j"),
            poster: a(20),
            worker: a(21),
            asset: s("yui"),
            amount: 500,
        },
        Event::CredentialIssued {
            credential_id: s("dr-emma-2026"),
            subject: a(17),
            issuer: a(1),
            kind: s("digital_resident"),
        },
        Event::CredentialStatusChanged {
            credential_id: s("dr-emma-2026"),
            subject: a(17),
            issuer: a(1),
            status: CredentialStatus::Revoked,
            reason: s("moved away"),
        },
        Event::ConsentGranted {
            subject: a(17),
            party: a(19),
            scope: s("credentials"),
            expires_at_ms: None,
        },
        Event::ConsentRevoked {
            subject: a(17),
            party: a(19),
            scope: s("credentials"),
        },
        Event::DataAccessed {
            subject: a(17),
            party: a(19),
            scope: s("credentials"),
            purpose: s("job matching"),
        },
        Event::ProposalCreated {
            proposal_id: s("add-higashi"),
            proposer: a(1),
            action: gov_actions()[0].clone(),
        },
        Event::ProposalVoted {
            proposal_id: s("add-higashi"),
            voter: a(2),
            approve: true,
            approvals: 2,
            rejections: 0,
            needed: 3,
        },
        Event::ProposalClosed {
            proposal_id: s("add-higashi"),
            state: ProposalState::Failed,
            failure: Some(TxError::TooSoon {
                effective_height: 3,
                earliest: 5,
            }),
        },
        Event::ValidatorChangeScheduled {
            public_key: a(4),
            added: true,
            effective_height: 50,
        },
        Event::ValidatorSetChanged {
            effective_height: 50,
            added: vec![a(4)],
            removed: vec![],
            skipped: vec![SkippedChange {
                public_key: a(5),
                added: false,
                rule: Rule::NotValidator,
            }],
        },
        Event::RoleGranted {
            account: a(6),
            role: Role::Coordinator,
        },
        Event::RoleRevoked {
            account: a(6),
            role: Role::CredentialIssuer,
        },
        Event::AssetDefined { asset: s("yui") },
        Event::AssetPolicyChanged { asset: s("yui") },
        Event::ParamChanged {
            name: s("job_review_days"),
            value: 5,
        },
        Event::MembershipChanged {
            account: a(7),
            member: false,
        },
        Event::Minted {
            asset: s("yui-point"),
            to: a(10),
            amount: 100,
            source: MintSource::Contract {
                contract_id: s("cleanup-day"),
            },
            expires_at: None,
        },
        Event::CodeUploaded {
            code_hash: [40; 32],
            size: 4_855,
            uploader: a(1),
        },
        Event::ContractDeployed {
            contract_id: s("cleanup-day"),
            code_hash: [40; 32],
            account: a(42),
        },
        Event::ContractUpgraded {
            contract_id: s("cleanup-day"),
            code_hash: [41; 32],
        },
        Event::ContractStatusChanged {
            contract_id: s("cleanup-day"),
            status: ContractStatus::Removed,
        },
        Event::ContractBudgetChanged {
            contract_id: s("cleanup-day"),
            asset: s("yui-point"),
            allotted: 50_000,
        },
        Event::ContractCalled {
            contract_id: s("cleanup-day"),
            caller: a(13),
            method: s("record"),
            fuel_used: 33_415,
        },
        Event::ContractEmitted {
            contract_id: s("cleanup-day"),
            topic: b"paid".to_vec(),
            data: vec![7; 8],
            accounts: vec![a(10), a(13)],
        },
    ]
}

fn errors() -> Vec<TxError> {
    use TxError::*;
    vec![
        Malformed(Rule::ZeroAmount),
        FieldLength {
            field: Field::JobId,
            min: 1,
            max: 64,
        },
        NotAfterBlockTime {
            field: Field::AcceptDeadline,
            value_ms: 1,
            block_ms: 2,
        },
        TooLarge {
            size: 5_000,
            max: 4_096,
        },
        WrongChain {
            expected: s("yui-golden"),
            got: s("other"),
        },
        BadSignature(SignatureError::Invalid),
        NonceUsed {
            expected: 4,
            got: 3,
        },
        NonceGap {
            expected: 4,
            got: 9,
        },
        Expired(Expiry::Height(10)),
        UnknownAccount(a(30)),
        UnknownAsset(s("gold")),
        UnknownCampaign(s("spring")),
        UnknownInvoice(s("SB-10")),
        MissingRole {
            account: a(30),
            role: RoleNeeded::Merchant,
        },
        Insufficient {
            asset: s("coin"),
            have: 10,
            need: 11,
        },
        Overflow(Quantity::Balance),
        CapExceeded {
            asset: s("voucher"),
            cap: 65_000,
            would: 78_000,
        },
        InvoiceAlreadyPaid(s("SB-9")),
        DepositReused(s("bank-2026-0001")),
        PayoutReused(s("payout-7")),
        AlreadyGranted(s("cleanup-2026")),
        RefundTooLarge {
            asked: 300,
            left: 150,
        },
        Policy {
            asset: s("point"),
            rule: Rule::NotTransferable,
        },
        UnknownJob(s("j")),
        JobExists(s("j")),
        JobParty {
            job: s("j"),
            state: yui_ledger::state::JobState::Posted,
            rule: Rule::PosterCannotAccept,
        },
        JobState {
            job: s("j"),
            state: yui_ledger::state::JobState::Approved,
            rule: Rule::JobClosed,
        },
        SplitTooLarge {
            asked: 600,
            escrow: 500,
        },
        UnknownCredential(s("c")),
        CredentialExists(s("c")),
        CredentialState {
            id: s("c"),
            status: CredentialStatus::Revoked,
            rule: Rule::RevokedStaysRevoked,
        },
        CredentialRequired {
            account: a(31),
            kind: s("digital_resident"),
            required_for: Requirement::Job(s("walk-dog-1")),
        },
        NoConsent {
            subject: a(17),
            party: a(19),
            scope: s("credentials"),
            gap: ConsentGap::Expired,
        },
        NotMember(a(33)),
        UnknownProposal(s("p")),
        ProposalExists(s("p")),
        ProposalState {
            id: s("p"),
            state: yui_ledger::governance::ProposalState::Executed,
            rule: Rule::ProposalNotOpen,
        },
        AlreadyVoted {
            voter: a(1),
            proposal: s("p"),
        },
        ValidatorChange {
            key: a(4),
            height: 50,
            rule: Rule::ValidatorChangePending,
        },
        TooSoon {
            effective_height: 3,
            earliest: 5,
        },
        RoleChange {
            account: a(6),
            role: Role::Merchant(MerchantClass::Large),
            rule: Rule::MerchantClassHeld,
        },
        Membership {
            account: a(7),
            rule: Rule::LastMember,
        },
        Governance(Rule::LastValidator),
        UnknownParam(s("block_size")),
        ParamRange {
            name: s("job_review_days"),
            lo: 1,
            hi: 90,
        },
        State(StateError::Corrupt),
        UnknownContract(s("nowhere")),
        ContractExists(s("cleanup-day")),
        ContractState {
            id: s("cleanup-day"),
            status: ContractStatus::Paused,
            rule: Rule::ContractPaused,
        },
        UnknownCode([43; 32]),
        InvalidCode(CodeError::FloatsUsed),
        CodeUpload {
            code_hash: [40; 32],
            rule: Rule::ChunkOutOfOrder,
        },
        CodeTooLarge {
            size: 600_000,
            max: 524_288,
        },
        FuelAboveCap {
            limit: 6_000_000,
            cap: 5_000_000,
        },
        ContractMethod {
            contract_id: s("cleanup-day"),
            method: s("init"),
            rule: Rule::ReservedMethod,
        },
        ContractFailed {
            contract_id: s("cleanup-day"),
            failure: CallFailure::Aborted { code: 5 },
            fuel_used: 12_941,
        },
        BlockFuelSpent,
        InsufficientToPay {
            have: 120,
            need: 121,
        },
    ]
}

/// Every rule code, found by decoding each index until the decoder refuses.
fn rules() -> Vec<Rule> {
    (0..variant_count::<Rule>())
        .map(|i| borsh::from_slice(&[i]).expect("a rule index decodes"))
        .collect()
}

fn header() -> BlockHeader {
    BlockHeader {
        chain_id: s("yui-golden"),
        height: 7,
        time_ms: 1_767_225_600_000,
        prev_hash: [1; 32],
        tx_root: [2; 32],
        receipts_root: [3; 32],
        state_root: [4; 32],
        proposer: a(5),
        validators_hash: [6; 32],
    }
}

fn signed(op: Operation, nonce: u64) -> SignedTransaction {
    let k = Keypair::from_seed([7; 32]);
    Transaction {
        chain_id: s("yui-golden"),
        signer: k.address(),
        nonce,
        expiry: Expiry::Height(100),
        op,
    }
    .sign(&k)
}

fn receipt(index: u32, error: Option<TxError>, events: Vec<Event>) -> Receipt {
    Receipt {
        tx_hash: [8; 32],
        signer: a(9),
        height: 7,
        index,
        error,
        events,
    }
}

/// State records, one of each main kind.
fn records() -> Vec<(String, Vec<u8>)> {
    let step = JobStep {
        action: JobAction::Post,
        by: Some(a(20)),
        state: JobState::Posted,
        height: 3,
        at_ms: 1_767_225_600_000,
    };
    let job = Job {
        id: s("walk-dog-1"),
        poster: a(20),
        asset: s("yui"),
        reward: 500,
        coordinator: a(13),
        accept_deadline_ms: 1_767_830_400_000,
        required_credential: Some(s("digital_resident")),
        description_hash: [14; 32],
        state: JobState::Posted,
        worker: None,
        escrow: vec![Lot {
            amount: 500,
            expires_at: None,
        }],
        proof_hash: None,
        rating: None,
        cancel_consent: false,
        disputed_by: None,
        reason_hash: None,
        resolved_to_worker: None,
        timer_at: Some(1_767_830_400_000),
        posted_at_ms: 1_767_225_600_000,
        accepted_at_ms: None,
        submitted_at_ms: None,
        closed_at_ms: None,
        history: vec![step],
    };
    let credential = Credential {
        id: s("dr-emma-2026"),
        subject: a(17),
        kind: s("digital_resident"),
        issuer: a(1),
        valid_from_ms: 1_767_225_600_000,
        valid_until_ms: 1_798_761_600_000,
        claims_digest: [18; 32],
        status: CredentialStatus::Active,
        history: vec![CredentialStep {
            action: CredentialAction::Issue,
            by: a(1),
            status: CredentialStatus::Active,
            reason: String::new(),
            height: 4,
            at_ms: 1_767_225_600_000,
        }],
    };
    let consent = Consent {
        subject: a(17),
        party: a(19),
        scope: s("credentials"),
        granted_at_ms: 1_767_225_600_000,
        expires_at_ms: None,
        revoked_at_ms: None,
        access_count: 1,
        accesses: vec![Access {
            purpose: s("job matching"),
            height: 5,
            at_ms: 1_767_225_601_000,
        }],
    };
    let proposal = Proposal {
        id: s("add-higashi"),
        proposer: a(1),
        action: gov_actions()[0].clone(),
        expires_at_ms: 1_767_830_400_000,
        created_height: 40,
        created_ms: 1_767_225_600_000,
        approvals: vec![a(1), a(2), a(3)],
        rejections: vec![],
        state: ProposalState::Executed,
        closed_height: Some(42),
        closed_ms: Some(1_767_225_700_000),
        failure: None,
    };
    let contract = Contract {
        id: s("cleanup-day"),
        code_hash: [40; 32],
        code_size: 4_855,
        methods: vec![s("attended"), s("init"), s("record"), s("stats")],
        engine_version: 1,
        fuel_table_version: 1,
        account: a(42),
        assets: vec![s("coin")],
        budget: vec![Budget {
            asset: s("yui-point"),
            allotted: 50_000,
            granted: 300,
        }],
        status: ContractStatus::Active,
        proposal_id: s("deploy-cleanup-day"),
        deployed_height: 60,
        deployed_ms: 1_767_225_600_000,
        upgraded_height: None,
        calls: 4,
        fuel_used: 123_456,
    };
    vec![
        (
            s("account"),
            borsh::to_vec(&Account {
                nonce: 3,
                roles: vec![Role::Merchant(MerchantClass::SmallLocal)],
                name: s("sakura-bakery"),
            })
            .expect("encodes"),
        ),
        (
            s("holding"),
            borsh::to_vec(&Holding {
                lots: vec![
                    Lot {
                        amount: 300,
                        expires_at: Some(1_782_777_600_000),
                    },
                    Lot {
                        amount: 9_700,
                        expires_at: None,
                    },
                ],
                last_change_ms: 1_767_225_600_000,
            })
            .expect("encodes"),
        ),
        (s("job"), borsh::to_vec(&job).expect("encodes")),
        (
            s("credential"),
            borsh::to_vec(&credential).expect("encodes"),
        ),
        (s("consent"), borsh::to_vec(&consent).expect("encodes")),
        (s("proposal"), borsh::to_vec(&proposal).expect("encodes")),
        (s("contract"), borsh::to_vec(&contract).expect("encodes")),
    ]
}

/// Every golden entry as `name hex-bytes sha256`, in a fixed order.
fn entries() -> Vec<String> {
    let mut out = Vec::new();
    let mut put = |name: String, bytes: Vec<u8>| {
        out.push(format!(
            "{name} {} {}",
            hex::encode(&bytes),
            hex::encode(sha256(&bytes))
        ));
    };
    for (i, op) in operations().into_iter().enumerate() {
        let name = match &op {
            Operation::Propose { action, .. } => format!("tx/propose/{}", action.name()),
            other => format!("tx/{}", other.name()),
        };
        let stx = signed(op, i as u64);
        put(format!("{name}/sign-bytes"), stx.tx.sign_bytes());
        put(name, stx.to_bytes());
    }
    for (i, e) in events().into_iter().enumerate() {
        let name = format!("receipt/event/{}", e.name());
        put(
            name,
            borsh::to_vec(&receipt(i as u32, None, vec![e])).expect("encodes"),
        );
    }
    for (i, e) in errors().into_iter().enumerate() {
        let name = format!("receipt/error/{i:02}");
        put(
            name,
            borsh::to_vec(&receipt(i as u32, Some(e), vec![])).expect("encodes"),
        );
    }
    for r in rules() {
        put(format!("rule/{r:?}"), borsh::to_vec(&r).expect("encodes"));
    }
    for (name, bytes) in records() {
        put(format!("state/{name}"), bytes);
    }
    let h = header();
    put(s("block/header"), borsh::to_vec(&h).expect("encodes"));
    put(s("block/hash"), h.hash().to_vec());
    out
}

#[test]
fn every_enum_of_the_consensus_bytes_has_a_golden_sample() {
    covers_every_variant("Operation", &operations());
    covers_every_variant("GovAction", &gov_actions());
    covers_every_variant("Event", &events());
    covers_every_variant("TxError", &errors());
    covers_every_variant(
        "MintSource",
        &events()
            .into_iter()
            .filter_map(|e| match e {
                Event::Minted { source, .. } => Some(source),
                _ => None,
            })
            .collect::<Vec<_>>(),
    );
    // Rules are listed by decoding every index, so all of them are pinned.
    assert!(rules().len() > 50);
}

#[test]
fn consensus_bytes_match_the_golden_file() {
    let got = entries().join("\n") + "\n";
    if std::env::var_os("YUI_BLESS_GOLDEN").is_some() {
        std::fs::write(GOLDEN_PATH, &got).expect("writes the golden file");
        return;
    }
    let want = std::fs::read_to_string(GOLDEN_PATH).expect(
        "the golden file exists (YUI_BLESS_GOLDEN=1 cargo test -p yui-ledger golden writes it)",
    );
    let (got_lines, want_lines): (Vec<&str>, Vec<&str>) =
        (got.lines().collect(), want.lines().collect());
    for (g, w) in got_lines.iter().zip(&want_lines) {
        let name = g.split(' ').next().unwrap_or_default();
        assert_eq!(
            g, w,
            "the consensus bytes of {name} changed: a format change (see the module docs)"
        );
    }
    assert_eq!(
        got_lines.len(),
        want_lines.len(),
        "golden entries were added or removed: a format change (see the module docs)"
    );
}

#[test]
fn every_golden_transaction_decodes_and_verifies() {
    for (i, op) in operations().into_iter().enumerate() {
        let stx = signed(op, i as u64);
        let back = SignedTransaction::from_bytes(&stx.to_bytes()).expect("decodes");
        assert_eq!(back, stx);
        back.check_stateless("yui-golden")
            .expect("shape and signature hold");
    }
}

#[test]
fn every_refusal_renders_text_without_changing_its_bytes() {
    for e in errors() {
        let text = e.to_string();
        assert!(!text.is_empty());
        let bytes = borsh::to_vec(&e).expect("encodes");
        // The words are not in the bytes: a refusal is a code and its fields.
        // Every word of five letters or more in the rendering that is not
        // part of a sample's own data must be absent from the encoding.
        let data = "yui-golden other gold spring coin voucher bank payout cleanup \
                    point digital_resident walk-dog credentials job_review_days block_size \
                    nowhere cleanup-day init";
        let words: Vec<&str> = text
            .split(|c: char| !c.is_ascii_alphabetic())
            .filter(|w| w.len() >= 5 && !data.contains(w))
            .collect();
        assert!(text.contains(' '), "{text}");
        for w in words {
            assert!(
                !bytes.windows(w.len()).any(|x| x == w.as_bytes()),
                "{text}: the encoding holds the word '{w}'"
            );
        }
        assert_eq!(borsh::from_slice::<TxError>(&bytes).expect("decodes"), e);
    }
}
