//! The gRPC server: every service with health and reflection, gRPC-Web and
//! CORS for browsers, the promised status codes, and TLS when configured
//! (`[api.tls]`: the node's certificate and key; with `client_ca_file`,
//! only clients holding a certificate from that authority are served).

use std::sync::Arc;

use tokio::sync::mpsc;
use tonic::transport::{Certificate, Identity, ServerTlsConfig};
use yui_proto::v1 as pb;

use super::{Api, status, web};
use crate::chain::Shared;
use crate::config::TlsSection;

/// The server's TLS settings, read from the files the config names.
pub fn tls_config(tls: &TlsSection) -> anyhow::Result<ServerTlsConfig> {
    let read = |what: &str, p: &std::path::Path| {
        std::fs::read(p).map_err(|e| anyhow::anyhow!("api.tls.{what} {}: {e}", p.display()))
    };
    let mut cfg = ServerTlsConfig::new().identity(Identity::from_pem(
        read("cert_file", &tls.cert_file)?,
        read("key_file", &tls.key_file)?,
    ));
    if let Some(ca) = &tls.client_ca_file {
        cfg = cfg.client_ca_root(Certificate::from_pem(read("client_ca_file", ca)?));
    }
    Ok(cfg)
}

/// Calls in flight on one client connection (HTTP/2 streams); a client
/// opening more waits for one to end.
pub const STREAMS_PER_CONNECTION: u32 = 1_024;

/// How often the Transactions service's readiness is looked at.
pub const READINESS_POLL_MS: u64 = 250;

/// Whether a transaction submitted here now reaches every validator at
/// once: a networked node's gossip reaches each other validator of the
/// current set. A node alone is ready.
pub fn ready(shared: &Shared, networked: bool) -> bool {
    !networked
        || shared
            .tx_gossip_missing
            .load(std::sync::atomic::Ordering::Relaxed)
            == 0
}

/// Keeps the health of `yui.v1.Transactions` true to [`ready`]: NOT_SERVING
/// until submissions reach every validator, and again while they do not.
/// The other services, and the empty name (the process), stay SERVING.
async fn report_readiness(
    reporter: tonic_health::server::HealthReporter,
    shared: Arc<Shared>,
    networked: bool,
) {
    type Tx = pb::transactions_server::TransactionsServer<Api>;
    let mut was = None;
    let mut ever = false;
    let mut tick = tokio::time::interval(std::time::Duration::from_millis(READINESS_POLL_MS));
    loop {
        tick.tick().await;
        let now = ready(&shared, networked);
        if was != Some(now) {
            if now {
                reporter.set_serving::<Tx>().await;
            } else {
                reporter.set_not_serving::<Tx>().await;
            }
            match (was, now) {
                (_, true) if !ever => {
                    tracing::info!("transaction submissions reach every validator")
                }
                (Some(false), true) => {
                    tracing::info!("transaction submissions reach every validator again")
                }
                (Some(true), false) => tracing::warn!(
                    "transaction submissions no longer reach every validator (one is down or unreachable)"
                ),
                _ => {}
            }
            was = Some(now);
            ever |= now;
        }
    }
}

/// Serves the API until `shutdown` resolves.
pub async fn serve(
    net: Option<mpsc::Sender<crate::network::NetCommand>>,

    shared: Arc<Shared>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let addr: std::net::SocketAddr = shared
        .cfg
        .api
        .listen
        .parse()
        .map_err(|e| anyhow::anyhow!("api.listen '{}': {e}", shared.cfg.api.listen))?;
    let max = shared.cfg.api.request_bytes_max;
    let networked = net.is_some();
    let readiness = shared.clone();
    let cors = web::cors(&shared.cfg.api.cors_origins)?;
    let shared_tls = shared.cfg.api.tls.clone();
    let api = Api::new(shared, net);
    let (reporter, health) = tonic_health::server::health_reporter();
    // Known from the start: NOT_SERVING until a networked node's gossip
    // reaches every validator.
    if ready(&readiness, networked) {
        reporter
            .set_serving::<pb::transactions_server::TransactionsServer<Api>>()
            .await;
    } else {
        reporter
            .set_not_serving::<pb::transactions_server::TransactionsServer<Api>>()
            .await;
    }
    let readiness = tokio::spawn(report_readiness(reporter.clone(), readiness, networked));
    reporter
        .set_serving::<pb::chain_server::ChainServer<Api>>()
        .await;
    reporter
        .set_serving::<pb::accounts_server::AccountsServer<Api>>()
        .await;
    reporter
        .set_serving::<pb::assets_server::AssetsServer<Api>>()
        .await;
    reporter
        .set_serving::<pb::jobs_server::JobsServer<Api>>()
        .await;
    reporter
        .set_serving::<pb::credentials_server::CredentialsServer<Api>>()
        .await;
    reporter
        .set_serving::<pb::governance_server::GovernanceServer<Api>>()
        .await;
    reporter
        .set_serving::<pb::contracts_server::ContractsServer<Api>>()
        .await;
    reporter
        .set_serving::<pb::analytics_server::AnalyticsServer<Api>>()
        .await;
    // Both reflection versions: grpcurl speaks v1, many stock clients
    // (Python's grpcio-reflection among them) still speak v1alpha.
    let reflection = || {
        tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(pb::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
    };
    // HTTP/1.1 beside HTTP/2 for browsers: CORS answers preflights first,
    // gRPC-Web is translated to gRPC, then the promised status codes apply
    // to both.
    let mut builder = tonic::transport::Server::builder();
    if let Some(tls) = &shared_tls {
        builder = builder
            .tls_config(tls_config(tls)?)
            .map_err(|e| anyhow::anyhow!("api.tls: {e}"))?;
    }
    let served = builder
        .max_concurrent_streams(Some(STREAMS_PER_CONNECTION))
        .accept_http1(true)
        .layer(cors)
        .layer(tonic_web::GrpcWebLayer::new())
        .layer(status::StatusCodesLayer)
        .add_service(health)
        .add_service(reflection().build_v1()?)
        .add_service(reflection().build_v1alpha()?)
        .add_service(
            pb::transactions_server::TransactionsServer::new(api.clone())
                .max_decoding_message_size(max),
        )
        .add_service(
            pb::accounts_server::AccountsServer::new(api.clone()).max_decoding_message_size(max),
        )
        .add_service(
            pb::assets_server::AssetsServer::new(api.clone()).max_decoding_message_size(max),
        )
        .add_service(pb::chain_server::ChainServer::new(api.clone()).max_decoding_message_size(max))
        .add_service(pb::jobs_server::JobsServer::new(api.clone()).max_decoding_message_size(max))
        .add_service(
            pb::credentials_server::CredentialsServer::new(api.clone())
                .max_decoding_message_size(max),
        )
        .add_service(
            pb::governance_server::GovernanceServer::new(api.clone())
                .max_decoding_message_size(max),
        )
        .add_service(
            pb::contracts_server::ContractsServer::new(api.clone()).max_decoding_message_size(max),
        )
        .add_service(pb::analytics_server::AnalyticsServer::new(api).max_decoding_message_size(max))
        .serve_with_shutdown(addr, shutdown)
        .await;
    readiness.abort();
    served?;
    Ok(())
}
