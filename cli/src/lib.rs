//! A client of a Yui node's gRPC API: builds and signs transactions, submits
//! them, and makes authorised reads. Used by the `yui` CLI, `yui-devnet` and
//! the end-to-end tests.
#![forbid(unsafe_code)]

use std::time::{SystemTime, UNIX_EPOCH};

use tonic::transport::Channel;
use yui_ledger::{Address, Expiry, Keypair, Operation, SignedTransaction, Transaction, auth};
use yui_proto::v1 as pb;
use yui_proto::v1::accounts_client::AccountsClient;
use yui_proto::v1::analytics_client::AnalyticsClient;
use yui_proto::v1::assets_client::AssetsClient;
use yui_proto::v1::chain_client::ChainClient;
use yui_proto::v1::contracts_client::ContractsClient;
use yui_proto::v1::credentials_client::CredentialsClient;
use yui_proto::v1::governance_client::GovernanceClient;
use yui_proto::v1::jobs_client::JobsClient;
use yui_proto::v1::transactions_client::TransactionsClient;

pub mod audit;
pub mod claims;
pub mod cmd;
pub mod contracts;
pub mod keyfile;
pub mod payuri;
pub mod render;
pub mod submit_stream;
pub mod terminal;

/// How many blocks a transaction stays valid by default.
pub const EXPIRY_BLOCKS_DEFAULT: u64 = 600;

pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// A connection to one node.
#[derive(Clone)]
pub struct Client {
    pub chain_id: String,
    /// The node's time zone for showing dates (IANA name; may be empty).
    pub time_zone: String,
    pub tx: TransactionsClient<Channel>,
    pub accounts: AccountsClient<Channel>,
    pub assets: AssetsClient<Channel>,
    pub chain: ChainClient<Channel>,
    pub jobs: JobsClient<Channel>,
    pub credentials: CredentialsClient<Channel>,
    pub governance: GovernanceClient<Channel>,
    pub contracts: ContractsClient<Channel>,
    pub analytics: AnalyticsClient<Channel>,
}

/// TLS towards a node whose endpoint is `https://…`: the authority that
/// issued its certificate, and this client's own certificate and key when
/// the node serves only known clients (PEM files).
#[derive(Debug, Clone, Default)]
pub struct Tls {
    pub ca_file: Option<std::path::PathBuf>,
    pub cert_file: Option<std::path::PathBuf>,
    pub key_file: Option<std::path::PathBuf>,
}

impl Tls {
    /// From `YUI_TLS_CA`, `YUI_TLS_CERT` and `YUI_TLS_KEY`.
    pub fn from_env() -> Self {
        let var = |n: &str| std::env::var_os(n).map(std::path::PathBuf::from);
        Self {
            ca_file: var("YUI_TLS_CA"),
            cert_file: var("YUI_TLS_CERT"),
            key_file: var("YUI_TLS_KEY"),
        }
    }

    fn config(&self, host: &str) -> anyhow::Result<tonic::transport::ClientTlsConfig> {
        use tonic::transport::{Certificate, ClientTlsConfig, Identity};
        let read = |p: &std::path::Path| {
            std::fs::read(p).map_err(|e| anyhow::anyhow!("TLS file {}: {e}", p.display()))
        };
        let mut c = ClientTlsConfig::new().domain_name(host);
        match &self.ca_file {
            Some(ca) => c = c.ca_certificate(Certificate::from_pem(read(ca)?)),
            None => anyhow::bail!(
                "an https:// node needs the authority that issued its certificate: --tls-ca or YUI_TLS_CA"
            ),
        }
        match (&self.cert_file, &self.key_file) {
            (Some(cert), Some(key)) => {
                c = c.identity(Identity::from_pem(read(cert)?, read(key)?));
            }
            (None, None) => {}
            _ => anyhow::bail!("a client certificate needs both --tls-cert and --tls-key"),
        }
        Ok(c)
    }
}

impl Client {
    /// Connects and learns the chain id from the node. An `https://`
    /// endpoint uses TLS with the files `YUI_TLS_CA` (and `YUI_TLS_CERT`,
    /// `YUI_TLS_KEY`) name.
    pub async fn connect(endpoint: &str) -> anyhow::Result<Self> {
        Self::connect_with(endpoint, &Tls::from_env()).await
    }

    /// Connects with explicit TLS files for an `https://` endpoint.
    pub async fn connect_with(endpoint: &str, tls: &Tls) -> anyhow::Result<Self> {
        let url = if endpoint.starts_with("http") {
            endpoint.to_string()
        } else {
            format!("http://{endpoint}")
        };
        let mut ep = Channel::from_shared(url.clone())?;
        if let Some(rest) = url.strip_prefix("https://") {
            let authority = rest.split('/').next().unwrap_or(rest);
            let host = match authority.rsplit_once(':') {
                Some((h, p)) if p.chars().all(|c| c.is_ascii_digit()) => h,
                _ => authority,
            };
            ep = ep
                .tls_config(tls.config(host.trim_matches(['[', ']']))?)
                .map_err(|e| anyhow::anyhow!("TLS for {url}: {e}"))?;
        }
        let ch = ep.connect().await.map_err(|e| {
            anyhow::anyhow!(
                "cannot reach a Yui node at {url}: {e} (is it running? see `yui-devnet status`)"
            )
        })?;
        let mut chain = ChainClient::new(ch.clone());
        let status = chain
            .get_status(pb::GetStatusRequest {})
            .await?
            .into_inner();
        Ok(Self {
            chain_id: status.chain_id,
            time_zone: status.time_zone,
            tx: TransactionsClient::new(ch.clone()),
            accounts: AccountsClient::new(ch.clone()),
            assets: AssetsClient::new(ch.clone()),
            jobs: JobsClient::new(ch.clone()),
            credentials: CredentialsClient::new(ch.clone()),
            governance: GovernanceClient::new(ch.clone()),
            contracts: ContractsClient::new(ch.clone()),
            analytics: AnalyticsClient::new(ch.clone()),
            chain,
        })
    }

    pub async fn status(&self) -> Result<pb::GetStatusResponse, tonic::Status> {
        Ok(self
            .chain
            .clone()
            .get_status(pb::GetStatusRequest {})
            .await?
            .into_inner())
    }

    /// A read authorisation by `reader` for `subject`'s data (ZERO: audit reads).
    pub fn read_auth(&self, reader: &Keypair, subject: &Address) -> pb::ReadAuth {
        let t = now_ms();
        let sig = reader.sign(&auth::read_sign_bytes(
            &self.chain_id,
            &reader.address(),
            subject,
            t,
        ));
        pb::ReadAuth {
            reader: reader.address().0.to_vec(),
            time_ms: t,
            signature: sig.to_vec(),
        }
    }

    /// The account of `who`, read with `reader`'s authorisation.
    pub async fn account(
        &self,
        reader: &Keypair,
        who: &Address,
    ) -> Result<pb::GetAccountResponse, tonic::Status> {
        let req = pb::GetAccountRequest {
            address: who.0.to_vec(),
            auth: Some(self.read_auth(reader, who)),
        };
        Ok(self.accounts.clone().get_account(req).await?.into_inner())
    }

    /// The next nonce of `key`'s account (0 for an account not yet on chain).
    pub async fn next_nonce(&self, key: &Keypair) -> Result<u64, tonic::Status> {
        match self.account(key, &key.address()).await {
            Ok(a) => Ok(a.nonce),
            Err(s) if s.code() == tonic::Code::NotFound => Ok(0),
            Err(s) => Err(s),
        }
    }

    /// Signs `op` with `key` at `nonce`, valid for the default number of blocks.
    pub async fn sign(
        &self,
        key: &Keypair,
        nonce: u64,
        op: Operation,
    ) -> Result<SignedTransaction, tonic::Status> {
        let height = self.status().await?.height;
        Ok(sign_tx(
            &self.chain_id,
            key,
            nonce,
            Expiry::Height(height + EXPIRY_BLOCKS_DEFAULT),
            op,
        ))
    }

    /// Submits a signed transaction; with `wait`, returns once it is committed.
    pub async fn submit(
        &self,
        stx: &SignedTransaction,
        wait: bool,
    ) -> Result<pb::SubmitResponse, tonic::Status> {
        let req = pb::SubmitRequest {
            tx: stx.to_bytes(),
            wait_for_commit: wait,
            wait_timeout_ms: 30_000,
        };
        Ok(self.tx.clone().submit(req).await?.into_inner())
    }

    /// Signs with the account's next nonce, submits and waits for the receipt.
    pub async fn execute(&self, key: &Keypair, op: Operation) -> anyhow::Result<pb::Receipt> {
        let nonce = self.next_nonce(key).await?;
        let stx = self.sign(key, nonce, op).await?;
        let r = self.submit(&stx, true).await?;
        let receipt = r.receipt.ok_or_else(|| {
            anyhow::anyhow!(
                "not committed within 30 s; check later with `yui tx {}`",
                hex::encode(&r.tx_hash)
            )
        })?;
        if !receipt.success {
            anyhow::bail!("committed but failed: {}", receipt.error);
        }
        Ok(receipt)
    }

    /// Balance of one asset (0 when none).
    pub async fn balance(
        &self,
        reader: &Keypair,
        who: &Address,
        asset: &str,
    ) -> Result<u64, tonic::Status> {
        let a = self.account(reader, who).await?;
        Ok(a.balances
            .iter()
            .find(|b| b.asset == asset)
            .map_or(0, |b| b.total))
    }
}

/// Builds and signs a transaction.
pub fn sign_tx(
    chain_id: &str,
    key: &Keypair,
    nonce: u64,
    expiry: Expiry,
    op: Operation,
) -> SignedTransaction {
    Transaction {
        chain_id: chain_id.into(),
        signer: key.address(),
        nonce,
        expiry,
        op,
    }
    .sign(key)
}
