//! `yui terminal`: a shop terminal in a browser. This process holds the
//! merchant's key and serves one page (terminal.html, embedded) on the shop's
//! own machine. The page shows the payment request as a QR code of its
//! `yui:` URI (drawn here as SVG) and follows the merchant's account live by
//! calling the node itself over gRPC-Web (`Accounts.StreamEvents`). The node
//! only answers it when its `api.cors_origins` lists this page's origin, and
//! only with a read authorisation: the page asks `/auth` for one, which this
//! process signs for the merchant's own account. The key never reaches the
//! browser.
//!
//! Routes: `GET /` the page; `GET /config` what the page needs (JSON);
//! `GET /qr.svg` the request's QR code; `POST /auth` a fresh read
//! authorisation; `POST /request` a new payment request
//! (`{"invoice": …, "amount": …}`), from the page's "new sale" form.
//!
//! `/auth` gives whoever can call it five minutes of reading the merchant's
//! account, so the terminal answers only requests that name it by an IP
//! address or `localhost` in `Host` (no DNS name, so another site cannot
//! rebind a name to it) and, for the POSTs, come from its own page
//! (`Origin`).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;
use yui_ledger::{Address, Keypair, auth};

use crate::payuri::PayRequest;
use crate::{Client, keyfile, now_ms};

/// The page, with its script and style inline (no network but this process
/// and the node).
const PAGE: &str = include_str!("terminal.html");

#[derive(clap::Args)]
pub struct TerminalArgs {
    /// The merchant's key file; the terminal signs read authorisations of the
    /// merchant's own account with it, for the page.
    #[arg(long)]
    pub key: PathBuf,
    /// Where the page is served. The node's api.cors_origins must list
    /// `http://<this address>`.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// The payment request's invoice id.
    #[arg(long, requires = "amount")]
    pub invoice: Option<String>,
    /// The amount requested, in units (1 coin = 1 yen).
    #[arg(long, requires = "invoice")]
    pub amount: Option<u64>,
    /// Assets the payer should draw from, in order (default: their own order).
    #[arg(long, value_delimiter = ',')]
    pub assets: Vec<String>,
    /// The shop's name, shown on the page and carried in the request.
    #[arg(long)]
    pub label: Option<String>,
    /// The node's URL as the browser reaches it (default: http://<--node>).
    #[arg(long)]
    pub node_url: Option<String>,
}

/// A request with its URI and QR code, drawn once.
struct Shown {
    request: PayRequest,
    uri: String,
    svg: String,
}

struct Terminal {
    key: Keypair,
    chain_id: String,
    time_zone: String,
    node_url: String,
    label: Option<String>,
    assets: Vec<String>,
    port: u16,
    shown: Mutex<Option<Shown>>,
}

type Refusal = (StatusCode, String);

fn refuse(code: StatusCode, why: impl Into<String>) -> Refusal {
    (code, why.into())
}

impl Terminal {
    fn request(&self, invoice: String, amount: u64) -> anyhow::Result<Shown> {
        let request = PayRequest {
            merchant: self.key.address(),
            chain_id: self.chain_id.clone(),
            invoice,
            amount,
            assets: self.assets.clone(),
            label: self.label.clone(),
        };
        let uri = request.to_uri()?;
        Ok(Shown {
            svg: qr_svg(&uri)?,
            request,
            uri,
        })
    }

    /// Refuses a request that does not name this terminal by IP address or
    /// `localhost` and its port, and a POST from another origin.
    fn guard(&self, h: &HeaderMap, post: bool) -> Result<(), Refusal> {
        let host = h
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| refuse(StatusCode::BAD_REQUEST, "no Host header"))?;
        if !host_allowed(host, self.port) {
            return Err(refuse(
                StatusCode::FORBIDDEN,
                format!(
                    "this terminal answers only at an IP address or localhost, port {}",
                    self.port
                ),
            ));
        }
        if post {
            let origin = h.get(header::ORIGIN).and_then(|v| v.to_str().ok());
            if origin.is_some_and(|o| o != format!("http://{host}")) {
                return Err(refuse(
                    StatusCode::FORBIDDEN,
                    "only the terminal's own page may ask for this",
                ));
            }
        }
        Ok(())
    }

    fn config(&self) -> serde_json::Value {
        let shown = self.shown.lock().ok();
        let request = shown.as_ref().and_then(|s| s.as_ref()).map(|s| {
            json!({
                "uri": s.uri,
                "invoice": s.request.invoice,
                "amount": s.request.amount.to_string(),
                "assets": s.request.assets,
            })
        });
        json!({
            "node_url": self.node_url,
            "merchant": self.key.address().to_hex(),
            "chain_id": self.chain_id,
            "time_zone": self.time_zone,
            "label": self.label,
            "request": request,
        })
    }
}

/// `host[:port]` names this terminal: an IP literal or localhost, on its port.
fn host_allowed(host: &str, port: u16) -> bool {
    let Some((name, p)) = host.rsplit_once(':') else {
        return false;
    };
    if p.parse::<u16>().ok() != Some(port) {
        return false;
    }
    let name = name.trim_start_matches('[').trim_end_matches(']');
    name.eq_ignore_ascii_case("localhost") || name.parse::<std::net::IpAddr>().is_ok()
}

/// The QR code of `uri` as SVG (error correction M: a phone reads it off a
/// screen or a crumpled print).
pub fn qr_svg(uri: &str) -> anyhow::Result<String> {
    use qrcode::render::svg;
    let code = qrcode::QrCode::with_error_correction_level(uri.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| anyhow::anyhow!("the payment request does not fit a QR code: {e}"))?;
    Ok(code
        .render::<svg::Color>()
        .min_dimensions(320, 320)
        .dark_color(svg::Color("#111"))
        .light_color(svg::Color("#fff"))
        .build())
}

fn json_response(v: serde_json::Value) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        v.to_string(),
    )
        .into_response()
}

async fn page(State(t): State<Arc<Terminal>>, h: HeaderMap) -> Result<Response, Refusal> {
    t.guard(&h, false)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        PAGE,
    )
        .into_response())
}

async fn config(State(t): State<Arc<Terminal>>, h: HeaderMap) -> Result<Response, Refusal> {
    t.guard(&h, false)?;
    Ok(json_response(t.config()))
}

async fn qr(State(t): State<Arc<Terminal>>, h: HeaderMap) -> Result<Response, Refusal> {
    t.guard(&h, false)?;
    let svg = t
        .shown
        .lock()
        .ok()
        .and_then(|s| s.as_ref().map(|s| s.svg.clone()))
        .ok_or_else(|| refuse(StatusCode::NOT_FOUND, "no payment request"))?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        svg,
    )
        .into_response())
}

/// A read authorisation of the merchant's account by the merchant, as the
/// page puts it in `StreamEventsRequest.auth` (hex; the node accepts it for
/// five minutes).
async fn read_auth(State(t): State<Arc<Terminal>>, h: HeaderMap) -> Result<Response, Refusal> {
    t.guard(&h, true)?;
    let me: Address = t.key.address();
    let time_ms = now_ms();
    let sig = t
        .key
        .sign(&auth::read_sign_bytes(&t.chain_id, &me, &me, time_ms));
    Ok(json_response(json!({
        "reader": me.to_hex(),
        "time_ms": time_ms.to_string(),
        "signature": hex::encode(sig),
    })))
}

async fn new_request(
    State(t): State<Arc<Terminal>>,
    h: HeaderMap,
    body: Bytes,
) -> Result<Response, Refusal> {
    t.guard(&h, true)?;
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct New {
        invoice: String,
        amount: u64,
    }
    let n: New = serde_json::from_slice(&body).map_err(|e| {
        refuse(
            StatusCode::BAD_REQUEST,
            format!("expected {{\"invoice\": text, \"amount\": units}}: {e}"),
        )
    })?;
    let shown = t
        .request(n.invoice, n.amount)
        .map_err(|e| refuse(StatusCode::BAD_REQUEST, e.to_string()))?;
    match t.shown.lock() {
        Ok(mut s) => *s = Some(shown),
        Err(_) => return Err(refuse(StatusCode::INTERNAL_SERVER_ERROR, "state lost")),
    }
    Ok(json_response(t.config()))
}

/// The terminal's routes over its state (also for tests).
fn router(t: Arc<Terminal>) -> Router {
    Router::new()
        .route("/", get(page))
        .route("/config", get(config))
        .route("/qr.svg", get(qr))
        .route("/auth", post(read_auth))
        .route("/request", post(new_request))
        .with_state(t)
}

/// Serves the terminal until Ctrl-C.
pub async fn run(c: &Client, node: &str, a: TerminalArgs) -> anyhow::Result<()> {
    let key = keyfile::read(&a.key)?;
    let node_url = match a.node_url {
        Some(u) => u.trim_end_matches('/').to_string(),
        None if node.starts_with("http") => node.trim_end_matches('/').to_string(),
        None => format!("http://{node}"),
    };
    let listener = tokio::net::TcpListener::bind(&a.listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", a.listen))?;
    let local = listener.local_addr()?;
    let t = Terminal {
        key,
        chain_id: c.chain_id.clone(),
        time_zone: if c.time_zone.is_empty() {
            "Asia/Tokyo".into()
        } else {
            c.time_zone.clone()
        },
        node_url,
        label: a.label,
        assets: a.assets,
        port: local.port(),
        shown: Mutex::new(None),
    };
    if let (Some(invoice), Some(amount)) = (a.invoice, a.amount) {
        let shown = t.request(invoice, amount)?;
        crate::outln!("payment request: {}", shown.uri);
        *t.shown.lock().map_err(|_| anyhow::anyhow!("state lost"))? = Some(shown);
    }
    crate::outln!(
        "shop terminal for {} on http://{local}/ (the node at {} must list \"http://{local}\" in api.cors_origins)",
        t.key.address(),
        t.node_url
    );
    axum::serve(listener, router(Arc::new(t)))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn only_ip_addresses_and_localhost_on_the_port_name_the_terminal() {
        for ok in [
            "127.0.0.1:8080",
            "localhost:8080",
            "[::1]:8080",
            "192.168.1.20:8080",
        ] {
            assert!(host_allowed(ok, 8080), "{ok}");
        }
        for bad in [
            "127.0.0.1:8081",
            "127.0.0.1",
            "evil.example:8080",
            "127.0.0.1.nip.io:8080",
            "[::1]",
            ":8080",
            "",
        ] {
            assert!(!host_allowed(bad, 8080), "{bad}");
        }
    }

    #[test]
    fn the_qr_code_is_svg_of_the_uri() {
        let svg = qr_svg("yui:00?chain=c&invoice=i&amount=1").unwrap();
        assert!(svg.contains("<svg") && svg.contains("<path"), "{svg}");
        assert!(qr_svg(&"x".repeat(5000)).is_err());
    }
}
