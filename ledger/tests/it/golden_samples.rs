//! The samples the golden test encodes: one value of every variant of every
//! consensus-critical enum, and the main state records (see `golden.rs`).

use yui_ledger::asset::{AssetClass, AssetKind, ExpiryPolicy, MerchantClass, SpendScope};
use yui_ledger::contract::ContractStatus;
use yui_ledger::credential::CredentialStatus;
use yui_ledger::crypto::SignatureError;
use yui_ledger::error::{
    ConsentGap, Field, Quantity, Requirement, RoleNeeded, Rule, StateError, TxError,
};
use yui_ledger::governance::{GovAction, ProposalState};
use yui_ledger::receipt::{MintSource, SkippedChange};
use yui_ledger::state::Role;
use yui_ledger::{
    Address, BlockHeader, Event, Expiry, Keypair, Operation, Receipt, SignedTransaction,
    Transaction,
};
use yui_wasm_contracts::{CallFailure, CodeError};

pub(crate) fn a(n: u8) -> Address {
    Address([n; 32])
}

pub(crate) fn s(t: &str) -> String {
    t.to_string()
}

pub(crate) fn class() -> AssetClass {
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

pub(crate) fn gov_actions() -> Vec<GovAction> {
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

pub(crate) fn operations() -> Vec<Operation> {
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

pub(crate) fn events() -> Vec<Event> {
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

pub(crate) fn errors() -> Vec<TxError> {
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

pub(crate) fn header() -> BlockHeader {
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

pub(crate) fn signed(op: Operation, nonce: u64) -> SignedTransaction {
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

pub(crate) fn receipt(index: u32, error: Option<TxError>, events: Vec<Event>) -> Receipt {
    Receipt {
        tx_hash: [8; 32],
        signer: a(9),
        height: 7,
        index,
        error,
        events,
    }
}
