//! The town's first days, committed on the gRPC targets' node before the
//! fuzzer's first request: charges and grants, payments to a merchant with a
//! refund and a redemption, a credential with a consent and a recorded
//! access, a job from posting to approval, an open governance proposal. The
//! requests then meet accounts with balances and history, blocks with
//! transactions and receipts, a state tree of many keys, jobs, credentials
//! and a proposal, rather than an empty chain.
//!
//! Each block is built from the mempool as a proposer builds it, and
//! committed under a certificate that both of the town's validators (the
//! city hall and the chamber) sign, as consensus would decide it. Every
//! transaction must be admitted and succeed: a script that stops matching
//! the ledger's rules panics when the node starts, which the corpus test
//! reports.

use yui_consensus::{CommitCertificate, Vote, VoteKind};
use yui_ledger::governance::GovAction;
use yui_ledger::state::Role;
use yui_ledger::{Expiry, Hash, Keypair, Operation, SignedTransaction, Transaction};
use yui_node::chain::Shared;

use crate::world::{CHAIN_ID, T0, named};

/// Job deadlines and credential validity: 2029-01-01, after any date this
/// fuzzer runs on, so admission (by the wall clock) and execution agree.
const FAR: u64 = T0 + 3 * 365 * 86_400_000;

/// The invoices, job and proposal the script leaves, for the seeds.
pub const INVOICES: [&str; 2] = ["SB-0001", "SB-0002"];
pub const JOB: &str = "walk-dog-1";
pub const PROPOSAL: &str = "coord-for-aeon";
pub const CREDENTIAL: &str = "emma-dr-1";

fn addr(name: &str) -> yui_ledger::Address {
    named(name).address()
}

/// Signs `op` for `who` with the nonce after its last one in the script.
struct Signer {
    nonces: std::collections::BTreeMap<&'static str, u64>,
}

impl Signer {
    fn tx(&mut self, who: &'static str, op: Operation) -> SignedTransaction {
        let nonce = self.nonces.entry(who).or_default();
        let tx = Transaction {
            chain_id: CHAIN_ID.into(),
            signer: addr(who),
            nonce: *nonce,
            expiry: Expiry::Height(1_000),
            op,
        };
        *nonce += 1;
        tx.sign(named(who))
    }
}

/// The script, block by block: a transaction is in a later block than
/// those it depends on, since admission checks against committed state.
fn script(now_ms: u64) -> Vec<Vec<SignedTransaction>> {
    let mut s = Signer {
        nonces: Default::default(),
    };
    let sha = |t: &str| yui_ledger::crypto::sha256(t.as_bytes());
    let charge = |to: &str, amount, deposit_ref: &str| Operation::Charge {
        to: addr(to),
        asset: "coin".into(),
        amount,
        deposit_ref: deposit_ref.into(),
        campaign: Some("welcome-bonus".into()),
    };
    let grant = |to: &str, asset: &str, amount, event: &str| Operation::Grant {
        to: addr(to),
        asset: asset.into(),
        amount,
        reason: "volunteering".into(),
        event_id: Some(event.into()),
    };
    let pay = |invoice: &str, amount| Operation::Pay {
        merchant: addr("sakura-bakery"),
        invoice_id: invoice.into(),
        amount,
        assets: vec!["coin".into()],
    };
    vec![
        vec![
            s.tx("city", charge("hana", 10_000, "bank-0001")),
            s.tx("city", charge("taro", 8_000, "bank-0002")),
            s.tx("city", grant("taro", "point", 500, "cleanup")),
            s.tx("city", grant("hana", "yui", 1_000, "festival-setup")),
            s.tx(
                "city",
                Operation::IssueCredential {
                    credential_id: CREDENTIAL.into(),
                    subject: addr("emma"),
                    kind: "digital_resident".into(),
                    valid_from_ms: T0,
                    valid_until_ms: FAR,
                    claims_digest: sha("country: EE"),
                },
            ),
        ],
        vec![
            s.tx("hana", pay(INVOICES[0], 3_000)),
            s.tx(
                "hana",
                Operation::PostJob {
                    job_id: JOB.into(),
                    asset: "yui".into(),
                    reward: 500,
                    coordinator: addr("coord-kita"),
                    accept_deadline_ms: FAR,
                    required_credential: Some("digital_resident".into()),
                    description_hash: sha("walk my dog"),
                },
            ),
            s.tx(
                "emma",
                Operation::GrantConsent {
                    party: addr("coord-kita"),
                    scope: "credentials".into(),
                    expires_at_ms: None,
                },
            ),
            // Its expiry follows the clock (at most the proposals'
            // longest life ahead), so its bytes differ from run to run.
            s.tx(
                "city",
                Operation::Propose {
                    proposal_id: PROPOSAL.into(),
                    action: GovAction::GrantRole {
                        account: addr("aeon-mall"),
                        role: Role::Coordinator,
                    },
                    expires_at_ms: now_ms + 86_400_000,
                },
            ),
        ],
        vec![
            s.tx(
                "sakura-bakery",
                Operation::Refund {
                    invoice_id: INVOICES[0].into(),
                    amount: 1_000,
                },
            ),
            s.tx("taro", pay(INVOICES[1], 700)),
            s.tx("emma", Operation::AcceptJob { job_id: JOB.into() }),
            s.tx(
                "coord-kita",
                Operation::RecordAccess {
                    subject: addr("emma"),
                    scope: "credentials".into(),
                    purpose: "matching with local jobs".into(),
                },
            ),
            s.tx(
                "chamber",
                Operation::Vote {
                    proposal_id: PROPOSAL.into(),
                    approve: true,
                },
            ),
        ],
        vec![
            s.tx(
                "sakura-bakery",
                Operation::Redeem {
                    asset: "coin".into(),
                    amount: 1_500,
                    payout_ref: "payout-SB-1".into(),
                },
            ),
            s.tx(
                "emma",
                Operation::SubmitJob {
                    job_id: JOB.into(),
                    proof_hash: sha("photo of the walk"),
                },
            ),
        ],
        vec![s.tx(
            "hana",
            Operation::ApproveJob {
                job_id: JOB.into(),
                rating: Some(5),
            },
        )],
    ]
}

/// The hashes of the script's first block (the same bytes on every run).
pub(crate) fn first_block_hashes() -> Vec<Hash> {
    script(0)[0].iter().map(SignedTransaction::hash).collect()
}

/// Commits the script on `shared`, whose node key is the city hall's.
pub(crate) fn commit_script(shared: &Shared) {
    let proposer = addr("city");
    for txs in script(yui_node::chain::now_ms()) {
        for stx in &txs {
            let hash = stx.hash();
            shared
                .admit(stx, hash)
                .unwrap_or_else(|e| panic!("the town script's {:?}: {e:?}", stx.tx.op));
        }
        let prepared = shared
            .build_block(proposer, yui_node::chain::now_ms())
            .expect("the town script's block builds");
        assert_eq!(
            prepared.tx_hashes.len(),
            txs.len(),
            "every transaction of the town script's block goes in"
        );
        for r in &prepared.outcome.receipts {
            assert!(r.error.is_none(), "the town script's {r:?}");
        }
        let header = &prepared.block.header;
        let (height, hash) = (header.height, prepared.block.hash());
        let set = shared.validators();
        let votes: Vec<Vote> = ["city", "chamber"]
            .iter()
            .map(|who| {
                let key: &Keypair = named(who);
                let index = set
                    .index_of(&key.address().0)
                    .expect("the city hall and the chamber validate");
                Vote::sign(
                    key.signing_key(),
                    CHAIN_ID,
                    index,
                    VoteKind::Precommit,
                    height,
                    0,
                    Some(hash),
                )
            })
            .collect();
        let certificate = CommitCertificate::from_precommits(height, 0, hash, &votes);
        shared
            .commit(prepared, certificate)
            .expect("the town script's block commits");
    }
}

#[cfg(test)]
mod tests {
    use tonic::Request;
    use yui_node::api::Api;
    use yui_proto::v1 as pb;

    use super::*;

    /// The gRPC targets' node answers from the town's first days: five
    /// blocks, the first block's transaction committed, the job approved,
    /// the proposal still open with the city's and the chamber's approvals
    /// (two of the consortium's three members).
    #[test]
    fn the_grpc_targets_node_holds_the_town_script() {
        use pb::chain_server::Chain;
        use pb::governance_server::Governance;
        use pb::jobs_server::Jobs;
        use pb::transactions_server::Transactions;
        let n = crate::node::node();
        let api: &Api = &n.api;
        n.runtime.block_on(async {
            let status = Chain::get_status(api, Request::new(pb::GetStatusRequest {}))
                .await
                .unwrap()
                .into_inner();
            assert_eq!((status.chain_id.as_str(), status.height), (CHAIN_ID, 5));
            let tx_hash = first_block_hashes()[0].to_vec();
            let tx = Transactions::get_transaction(
                api,
                Request::new(pb::GetTransactionRequest { tx_hash }),
            )
            .await
            .unwrap()
            .into_inner();
            assert_eq!(tx.status, "committed");
            let job = Jobs::get_job(api, Request::new(pb::GetJobRequest { job_id: JOB.into() }))
                .await
                .unwrap()
                .into_inner()
                .job
                .unwrap();
            assert_eq!(job.state, "approved");
            let p = Governance::get_proposal(
                api,
                Request::new(pb::GetProposalRequest {
                    proposal_id: PROPOSAL.into(),
                }),
            )
            .await
            .unwrap()
            .into_inner()
            .proposal
            .unwrap();
            assert_eq!((p.state.as_str(), p.approvals.len()), ("open", 2));
        });
    }
}
