//! Browsers: gRPC-Web (tonic-web, over HTTP/1.1 and `fetch`) and the CORS
//! answer for the origins the operator lists in `api.cors_origins`. A page
//! from another origin (a shop terminal on the merchant's own machine, a web
//! wallet) may only read what the browser lets it: the gRPC-Web status
//! headers are exposed, and nothing else changes — account reads still need
//! a read authorisation signed by the holder or an auditor.

use std::time::Duration;

use http::{HeaderName, HeaderValue, Method};
use tower_http::cors::{AllowOrigin, CorsLayer};

/// The request headers a gRPC-Web client sends beyond the safe-listed ones.
const REQUEST_HEADERS: [&str; 4] = ["content-type", "x-grpc-web", "x-user-agent", "grpc-timeout"];
/// The answer's headers a page must read: a trailers-only answer (a refusal)
/// carries its status in the headers.
const EXPOSED_HEADERS: [&str; 3] = ["grpc-status", "grpc-message", "grpc-status-details-bin"];

/// The CORS layer for `origins`: "*" allows any origin; otherwise each must
/// be an origin as a browser sends it, `scheme://host[:port]` without a
/// path. Empty allows none: preflights get no `Access-Control-Allow-Origin`,
/// so browsers refuse cross-origin calls, while same-origin and non-browser
/// gRPC-Web clients are unaffected.
pub fn cors(origins: &[String]) -> anyhow::Result<CorsLayer> {
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        let list = origins
            .iter()
            .map(|o| origin(o))
            .collect::<anyhow::Result<Vec<_>>>()?;
        AllowOrigin::list(list)
    };
    Ok(CorsLayer::new()
        .allow_origin(allow)
        .allow_methods([Method::POST])
        .allow_headers(REQUEST_HEADERS.map(HeaderName::from_static))
        .expose_headers(EXPOSED_HEADERS.map(HeaderName::from_static))
        .max_age(Duration::from_secs(3600)))
}

fn origin(o: &str) -> anyhow::Result<HeaderValue> {
    let bad = |why: &str| {
        anyhow::anyhow!(
            "api.cors_origins: {o:?} {why}; write an origin as a browser sends it, e.g. \"http://127.0.0.1:8080\", or \"*\""
        )
    };
    let (scheme, rest) = o.split_once("://").ok_or_else(|| bad("has no scheme"))?;
    if scheme != "http" && scheme != "https" {
        return Err(bad("is neither http nor https"));
    }
    if rest.is_empty() || rest.contains(['/', '?', '#', '*', ' ']) {
        return Err(bad("must be scheme://host[:port] with no path or wildcard"));
    }
    HeaderValue::from_str(o).map_err(|_| bad("is not a valid header value"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_checked_at_start_up() {
        for ok in [
            vec![],
            vec!["*".to_string()],
            vec![
                "http://127.0.0.1:8080".into(),
                "https://shop.example".into(),
            ],
        ] {
            assert!(cors(&ok).is_ok(), "{ok:?}");
        }
        for (o, why) in [
            ("127.0.0.1:8080", "no scheme"),
            ("ftp://x", "neither http"),
            ("http://127.0.0.1:8080/", "no path"),
            ("http://*.example", "wildcard"),
            ("http://", "no path"),
        ] {
            let e = cors(&[o.into()]).unwrap_err().to_string();
            assert!(e.contains(why), "{o}: {e}");
        }
    }
}
