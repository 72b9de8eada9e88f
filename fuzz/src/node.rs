//! The node's own decoders of untrusted bytes: what peers send (gossip
//! messages, block-sync frames), what any gRPC client sends (every unary
//! request, decoded from protobuf as tonic does and handed to the service
//! method), and the operator's config file.

use std::io::ErrorKind;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use futures::executor::block_on;
use futures::io::Cursor;
use libp2p::StreamProtocol;
use libp2p::request_response::Codec;
use prost::Message;
use tonic::{Code, Request};
use yui_ledger::Keypair;
use yui_node::api::Api;
use yui_node::chain::Shared;
use yui_node::config::Config;
use yui_node::network::batch::TX_BATCH_MAX;
use yui_node::network::sync::{SyncCodec, SyncRequest, SyncResponse};
use yui_node::network::{GossipVerdict, NetMessage, check_gossip, peer_id_of};

use crate::seeds::{Seed, seed};
use yui_proto::v1 as pb;

/// Byte 0 chooses: even, a gossip message (borsh `NetMessage`); odd, a
/// block-sync frame (length prefix and borsh), read as a request (bit 1
/// clear) or a response. The rest is the message.
///
/// Properties: no panic; a gossip message that decodes encodes back to the
/// same bytes (borsh is canonical, so two peers never disagree on what was
/// sent); a frame whose declared length exceeds the bound is refused before
/// its body is read, as invalid data.
pub fn net(data: &[u8]) {
    let [selector, rest @ ..] = data else {
        return;
    };
    if selector & 1 == 0 {
        if let Ok(m) = borsh::from_slice::<NetMessage>(rest) {
            assert_eq!(borsh::to_vec(&m).unwrap(), rest, "NetMessage re-encodes");
        }
        return;
    }
    let protocol = StreamProtocol::new("/yui/sync/2");
    let mut codec = SyncCodec;
    let declared = rest
        .get(..4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize);
    let (result, max) = if selector & 2 == 0 {
        let r = block_on(codec.read_request(&protocol, &mut Cursor::new(rest)));
        (r.map(drop), yui_node::network::SYNC_REQUEST_BYTES_MAX)
    } else {
        let r = block_on(codec.read_response(&protocol, &mut Cursor::new(rest)));
        (r.map(drop), yui_node::network::SYNC_RESPONSE_BYTES_MAX)
    };
    if let (Some(len), Err(e)) = (declared, &result)
        && len > max
    {
        assert_eq!(e.kind(), ErrorKind::InvalidData, "an oversize frame: {e}");
    }
}

/// A gossip message from a peer (borsh `NetMessage`), judged by the node's
/// own check (`yui_node::network::check_gossip`) on the town's node, a
/// validator: votes and proposals against the town's validator set and
/// chain, transaction batches handed to admission.
///
/// Properties: no panic; bytes that are no `NetMessage` are rejected, and
/// so is a batch of no transactions or more than `TX_BATCH_MAX`; any other
/// batch is kept (transactions travel one hop).
pub fn gossip(data: &[u8]) {
    let n = node();
    let _in_runtime = n.runtime.enter();
    let verdict = check_gossip(&n.shared, chamber_peer(), data);
    let expected = match borsh::from_slice::<NetMessage>(data) {
        Err(_) => Some(GossipVerdict::Reject),
        Ok(NetMessage::Txs(txs)) if txs.is_empty() || txs.len() > TX_BATCH_MAX => {
            Some(GossipVerdict::Reject)
        }
        Ok(NetMessage::Txs(_)) => Some(GossipVerdict::Keep),
        Ok(_) => None,
    };
    if let Some(expected) = expected {
        assert_eq!(verdict, expected);
    }
}

/// The node's config file: TOML as `yui-node` reads it, then its checks.
///
/// Properties: no panic; a config that parses and passes the checks
/// serialises and parses back to a config that passes them too.
pub fn config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(cfg) = toml::from_str::<Config>(text) else {
        return;
    };
    if cfg.check().is_ok() {
        let again = toml::to_string(&cfg).expect("a parsed config serialises");
        let back: Config = toml::from_str(&again).expect("and parses back");
        assert!(back.check().is_ok(), "{again}");
    }
}

/// One node (the city hall's, on the town's chain of the other targets,
/// with the town's first days committed: `town_chain`) and the API over
/// it, built once per process.
pub(crate) struct Node {
    pub api: Api,
    pub shared: Arc<Shared>,
    pub runtime: tokio::runtime::Runtime,
    home: PathBuf,
    /// The largest gRPC message the node reads (`api.request_bytes_max`).
    pub request_bytes_max: usize,
}

static NODE: OnceLock<Node> = OnceLock::new();

pub(crate) fn node() -> &'static Node {
    NODE.get_or_init(|| {
        remove_homes_of_ended_processes();
        let home = std::env::temp_dir().join(format!("yui-fuzz-node-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&home);
        std::fs::create_dir_all(&home).unwrap();
        let key = crate::world::named("city");
        std::fs::write(home.join("genesis.json"), crate::world::genesis().to_json()).unwrap();
        std::fs::write(
            home.join("config.toml"),
            "[node]\nname = \"city\"\ndata_dir = \"data\"\ngenesis_file = \"genesis.json\"\n\n\
             [api]\nlisten = \"127.0.0.1:0\"\n",
        )
        .unwrap();
        let (cfg, base) = Config::load(&home.join("config.toml")).unwrap();
        let request_bytes_max = cfg.api.request_bytes_max;
        let shared = Shared::open(cfg, &base, Some(key.address())).unwrap();
        crate::town_chain::commit_script(&shared);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        // The API starts its admission task on the runtime.
        let shared = Arc::new(shared);
        let api = runtime.block_on(async { Api::new(shared.clone(), None) });
        Node {
            api,
            shared,
            runtime,
            home,
            request_bytes_max,
        }
    })
}

/// The codes a unary request may end with (`proto/api.proto`): every one
/// but INTERNAL, UNKNOWN, UNIMPLEMENTED and DATA_LOSS, which would mean a bug
/// or a broken store, never bad input.
pub(crate) fn promised(code: Code) -> bool {
    !matches!(
        code,
        Code::Internal | Code::Unknown | Code::Unimplemented | Code::DataLoss
    )
}

/// Decodes `bytes` as the request type of the method, adjusts it (if
/// asked), and calls the method, as tonic does with the body of a unary
/// call; the code of the answer.
macro_rules! call {
    ($node:expr, $bytes:expr, $service:path, $method:ident, $request:ty) => {
        call!($node, $bytes, $service, $method, $request, |r: $request| r)
    };
    ($node:expr, $bytes:expr, $service:path, $method:ident, $request:ty, $adjust:expr) => {{
        match <$request>::decode($bytes) {
            Err(_) => None,
            Ok(req) => {
                let req = ($adjust)(req);
                let api = &$node.api;
                let answer = $node
                    .runtime
                    .block_on(async { <Api as $service>::$method(api, Request::new(req)).await });
                Some(answer.map(|_| Code::Ok).unwrap_or_else(|s| s.code()))
            }
        }
    }};
}

/// Byte 0 chooses one of the node's 26 unary gRPC methods; the rest is the
/// protobuf body of its request.
///
/// Properties: no panic, and the answer is a success or one of the codes
/// `api.proto` promises for bad input (never INTERNAL, UNKNOWN,
/// UNIMPLEMENTED or DATA_LOSS).
pub fn grpc(data: &[u8]) {
    use pb::accounts_server::Accounts;
    use pb::analytics_server::Analytics;
    use pb::assets_server::Assets;
    use pb::chain_server::Chain;
    use pb::contracts_server::Contracts;
    use pb::credentials_server::Credentials;
    use pb::governance_server::Governance;
    use pb::jobs_server::Jobs;
    use pb::transactions_server::Transactions;
    let [selector, body @ ..] = data else {
        return;
    };
    let n = node();
    let code = match selector % 26 {
        // Without an engine nothing commits: a submission that asks to wait
        // for its commit would only wait out its timeout.
        0 => call!(
            n,
            body,
            Transactions,
            submit,
            pb::SubmitRequest,
            |r: pb::SubmitRequest| pb::SubmitRequest {
                wait_for_commit: false,
                ..r
            }
        ),
        1 => call!(n, body, Transactions, prepare, pb::PrepareRequest),
        2 => call!(
            n,
            body,
            Transactions,
            get_transaction,
            pb::GetTransactionRequest
        ),
        3 => call!(n, body, Accounts, get_account, pb::GetAccountRequest),
        4 => call!(n, body, Accounts, get_history, pb::GetHistoryRequest),
        5 => call!(n, body, Analytics, figures, pb::FiguresRequest),
        6 => call!(n, body, Contracts, list_contracts, pb::ListContractsRequest),
        7 => call!(n, body, Contracts, get_contract, pb::GetContractRequest),
        8 => call!(n, body, Contracts, query, pb::QueryContractRequest),
        9 => call!(
            n,
            body,
            Credentials,
            get_credential,
            pb::GetCredentialRequest
        ),
        10 => call!(
            n,
            body,
            Credentials,
            verify_credential,
            pb::VerifyCredentialRequest
        ),
        11 => call!(
            n,
            body,
            Credentials,
            list_credentials,
            pb::ListCredentialsRequest
        ),
        12 => call!(n, body, Credentials, list_consents, pb::ListConsentsRequest),
        13 => call!(
            n,
            body,
            Governance,
            get_governance,
            pb::GetGovernanceRequest
        ),
        14 => call!(
            n,
            body,
            Governance,
            list_proposals,
            pb::ListProposalsRequest
        ),
        15 => call!(n, body, Governance, get_proposal, pb::GetProposalRequest),
        16 => call!(n, body, Jobs, list_jobs, pb::ListJobsRequest),
        17 => call!(n, body, Jobs, get_job, pb::GetJobRequest),
        18 => call!(n, body, Jobs, get_reputation, pb::GetReputationRequest),
        19 => call!(n, body, Assets, list_assets, pb::ListAssetsRequest),
        20 => call!(n, body, Chain, get_block, pb::GetBlockRequest),
        21 => call!(n, body, Chain, get_latest_block, pb::GetLatestBlockRequest),
        22 => call!(n, body, Chain, get_status, pb::GetStatusRequest),
        23 => call!(n, body, Chain, get_genesis, pb::GetGenesisRequest),
        24 => call!(n, body, Chain, get_proof, pb::GetProofRequest),
        _ => call!(n, body, Chain, list_evidence, pb::ListEvidenceRequest),
    };
    if let Some(code) = code {
        assert!(promised(code), "method {}: {code:?}", selector % 26);
    }
}

/// A fuzzer ends by exiting, so its node's folder stays behind: the next
/// process removes those whose process is gone.
fn remove_homes_of_ended_processes() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.strip_prefix("yui-fuzz-node-")) else {
            continue;
        };
        if !std::path::Path::new("/proc").join(pid).exists() {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// Removes the temporary folder of this process's node (the corpus test
/// calls it at the end; the store stays open until the process exits).
pub fn remove_home() {
    if let Some(n) = NODE.get() {
        let _ = std::fs::remove_dir_all(&n.home);
    }
}

fn frame(bytes: &[u8]) -> Vec<u8> {
    let mut f = (bytes.len() as u32).to_be_bytes().to_vec();
    f.extend(bytes);
    f
}

/// Seeds of the node's targets: gossip and sync messages, one request of
/// every gRPC method (a few with fields set), the node's config.
pub(crate) fn seeds(txs: &[(String, yui_ledger::SignedTransaction)], out: &mut Vec<Seed>) {
    let with = |selector: u8, bytes: Vec<u8>| [vec![selector], bytes].concat();
    let batch: Vec<_> = txs.iter().take(3).map(|(_, t)| t.clone()).collect();
    if !batch.is_empty() {
        let m = NetMessage::Txs(batch);
        out.push(seed("net", "txs", with(0, borsh::to_vec(&m).unwrap())));
    }
    let keys = crate::world::validator_keys();
    let vote = yui_consensus::Vote::sign(
        &keys[0],
        crate::world::CHAIN_ID,
        0,
        yui_consensus::VoteKind::Prevote,
        3,
        0,
        Some([5; 32]),
    );
    let m = NetMessage::Vote(vote);
    out.push(seed("net", "vote", with(0, borsh::to_vec(&m).unwrap())));
    gossip_seeds(txs, out);
    let blocks = SyncRequest::Blocks {
        from_height: 1,
        max: 64,
    };
    let b = frame(&borsh::to_vec(&blocks).unwrap());
    out.push(seed("net", "sync-request", with(1, b)));
    let none = SyncResponse::Proposed(None);
    let b = frame(&borsh::to_vec(&none).unwrap());
    out.push(seed("net", "sync-response", with(3, b)));
    out.push(seed("net", "sync-oversize", with(1, vec![0, 0, 4, 0, 1])));

    let address = |i: u8| Keypair::from_seed([i; 32]).address().0.to_vec();
    for selector in 0..26u8 {
        out.push(seed(
            "grpc",
            format!("method-{selector:02}"),
            vec![selector],
        ));
    }
    if let Some((_, tx)) = txs.first() {
        let submit = pb::SubmitRequest {
            tx: tx.to_bytes(),
            ..Default::default()
        };
        out.push(seed("grpc", "submit", with(0, submit.encode_to_vec())));
    }
    let prepare = pb::PrepareRequest {
        signer: address(7),
        next_nonce: true,
        operation: Some(pb::prepare_request::Operation::OperationJson(
            r#"{"Transfer":{"to":"0707070707070707070707070707070707070707070707070707070707070707","asset":"coin","amount":5}}"#.into(),
        )),
        ..Default::default()
    };
    out.push(seed("grpc", "prepare", with(1, prepare.encode_to_vec())));
    let history = pb::GetHistoryRequest {
        address: address(7),
        auth: Some(pb::ReadAuth {
            reader: address(7),
            time_ms: 1_700_000_000_000,
            signature: vec![0; 64],
        }),
        limit: 5,
        ..Default::default()
    };
    out.push(seed("grpc", "history", with(4, history.encode_to_vec())));
    let query = pb::QueryContractRequest {
        contract_id: "poll".into(),
        method: "results".into(),
        args: vec![1, 2, 3],
        fuel_limit: 1_000,
    };
    out.push(seed("grpc", "query", with(8, query.encode_to_vec())));
    let block = pb::GetBlockRequest {
        height: 0,
        ..Default::default()
    };
    out.push(seed("grpc", "block-0", with(20, block.encode_to_vec())));
    let proof = pb::GetProofRequest {
        kind: "holding".into(),
        address: address(3),
        id: "coin".into(),
        ..Default::default()
    };
    out.push(seed("grpc", "proof", with(24, proof.encode_to_vec())));
    town_seeds(&with, out);

    let minimal = "[node]\nname = \"city\"\ndata_dir = \"data\"\ngenesis_file = \"genesis.json\"\n\n[api]\nlisten = \"127.0.0.1:7301\"\n";
    out.push(seed("config", "minimal", minimal.as_bytes().to_vec()));
    if let Ok(cfg) = toml::from_str::<Config>(minimal)
        && let Ok(full) = toml::to_string(&cfg)
    {
        out.push(seed("config", "full", full.into_bytes()));
    }
}

/// Gossip from the chamber to the town's node: transactions of the golden
/// vectors (on the town's chain), and its votes at the next height and at
/// a committed one, signed under both indices (one is the chamber's).
fn gossip_seeds(txs: &[(String, yui_ledger::SignedTransaction)], out: &mut Vec<Seed>) {
    let batch: Vec<_> = txs.iter().take(3).map(|(_, t)| t.clone()).collect();
    if !batch.is_empty() {
        let m = NetMessage::Txs(batch);
        out.push(seed("gossip", "txs", borsh::to_vec(&m).unwrap()));
    }
    for index in 0..2u32 {
        for (name, height) in [("next", 6), ("committed", 3)] {
            let m = chamber_prevote(index, height);
            out.push(seed("gossip", format!("vote-{name}-{index}"), m));
        }
    }
}

/// The gossip bytes of the chamber's prevote at `height`, round 0, signed
/// as validator `index` of the town's set.
fn chamber_prevote(index: u32, height: u64) -> Vec<u8> {
    let vote = yui_consensus::Vote::sign(
        crate::world::named("chamber").signing_key(),
        crate::world::CHAIN_ID,
        index,
        yui_consensus::VoteKind::Prevote,
        height,
        0,
        Some([5; 32]),
    );
    borsh::to_vec(&NetMessage::Vote(vote)).unwrap()
}

/// The peer the gossip target's messages come from: the chamber's node.
fn chamber_peer() -> libp2p::PeerId {
    static PEER: OnceLock<libp2p::PeerId> = OnceLock::new();
    *PEER.get_or_init(|| {
        peer_id_of(&crate::world::named("chamber").address().0).expect("a town key is a peer id")
    })
}

/// Requests that name what the town's script committed (`town_chain`):
/// its accounts, blocks, a transaction, the job, proposal and credential.
fn town_seeds(with: &dyn Fn(u8, Vec<u8>) -> Vec<u8>, out: &mut Vec<Seed>) {
    use crate::town_chain::{CREDENTIAL, JOB, PROPOSAL, first_block_hashes};
    let town = |n: &str| crate::world::named(n).address().0.to_vec();
    let mut add = |name: &str, selector: u8, bytes: Vec<u8>| {
        out.push(seed("grpc", format!("town-{name}"), with(selector, bytes)));
    };
    if let Some(h) = first_block_hashes().first() {
        let r = pb::GetTransactionRequest {
            tx_hash: h.to_vec(),
        };
        add("tx", 2, r.encode_to_vec());
    }
    let account = pb::GetAccountRequest {
        address: town("hana"),
        auth: None,
    };
    add("account", 3, account.encode_to_vec());
    let history = pb::GetHistoryRequest {
        address: town("sakura-bakery"),
        limit: 3,
        ..Default::default()
    };
    add("history", 4, history.encode_to_vec());
    let figures = pb::FiguresRequest {
        asset: "coin".into(),
        k: 2,
        ..Default::default()
    };
    add("figures", 5, figures.encode_to_vec());
    let credential = pb::GetCredentialRequest {
        credential_id: CREDENTIAL.into(),
    };
    add("credential", 9, credential.encode_to_vec());
    let verify = pb::VerifyCredentialRequest {
        credential_id: CREDENTIAL.into(),
        ..Default::default()
    };
    add("verify", 10, verify.encode_to_vec());
    let credentials = pb::ListCredentialsRequest {
        subject: town("emma"),
        auth: None,
    };
    add("credentials", 11, credentials.encode_to_vec());
    let proposal = pb::GetProposalRequest {
        proposal_id: PROPOSAL.into(),
    };
    add("proposal", 15, proposal.encode_to_vec());
    let jobs = pb::ListJobsRequest {
        state: "all".into(),
        ..Default::default()
    };
    add("jobs", 16, jobs.encode_to_vec());
    add(
        "job",
        17,
        pb::GetJobRequest { job_id: JOB.into() }.encode_to_vec(),
    );
    let reputation = pb::GetReputationRequest {
        address: town("emma"),
    };
    add("reputation", 18, reputation.encode_to_vec());
    for height in [1u64, 3, 5] {
        let block = pb::GetBlockRequest {
            height,
            ..Default::default()
        };
        add(&format!("block-{height}"), 20, block.encode_to_vec());
    }
    let proof = pb::GetProofRequest {
        kind: "holding".into(),
        address: town("hana"),
        id: "coin".into(),
        ..Default::default()
    };
    add("proof", 24, proof.encode_to_vec());
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The gossip check on the town's node: the chamber's vote for the next
    /// height is relayed, one for a committed height ignored, one under the
    /// other validator's index rejected (the town has two), and bytes that
    /// are no message rejected.
    #[test]
    fn the_gossip_seeds_meet_each_verdict() {
        let n = node();
        let _in_runtime = n.runtime.enter();
        let chamber = crate::world::named("chamber");
        let mine = n
            .shared
            .validators()
            .index_of(&chamber.address().0)
            .unwrap();
        let vote = chamber_prevote;
        let check = |bytes: &[u8]| check_gossip(&n.shared, chamber_peer(), bytes);
        assert_eq!(check(&vote(mine, 6)), GossipVerdict::Relay);
        assert_eq!(check(&vote(mine, 3)), GossipVerdict::Ignore);
        assert_eq!(check(&vote(1 - mine, 6)), GossipVerdict::Reject);
        assert_eq!(check(&[0xff; 3]), GossipVerdict::Reject);
    }
}
