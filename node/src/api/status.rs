//! The status codes `api.proto` promises for requests the transport refuses
//! before any handler runs. tonic answers a request over the size limit with
//! OUT_OF_RANGE, and a protobuf decode failure, a frame whose compression
//! flag it cannot honour or a body that ends inside a message with
//! INTERNAL. The API promises RESOURCE_EXHAUSTED
//! and INVALID_ARGUMENT, which is what a client can act on (send less; fix
//! the request): INTERNAL says the node failed. (gRPC's compression document
//! asks for INTERNAL on a compressed frame without `grpc-encoding`; to a
//! Yui client it is bytes that cannot be read like any other.) The layer
//! rewrites only those answers, recognised by tonic's messages, and leaves
//! every handler's status alone.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::HeaderValue;

/// tonic's message for a request body over the decoding limit.
const TOO_LARGE: &str = "decoded message length too large";
/// prost's message for bytes that are not the request message.
const UNDECODABLE: &str = "failed to decode Protobuf message";
/// tonic's message for a frame whose compression flag it cannot honour
/// (set without `grpc-encoding`, or neither 0 nor 1).
const BAD_FRAME: &str = "protocol error: received message with";
/// tonic's message for a body that ends inside a message.
const CUT_OFF: &str = "Unexpected EOF decoding stream";

#[derive(Debug, Clone, Copy, Default)]
pub struct StatusCodesLayer;

impl<S> tower_layer::Layer<S> for StatusCodesLayer {
    type Service = StatusCodes<S>;

    fn layer(&self, inner: S) -> Self::Service {
        StatusCodes { inner }
    }
}

#[derive(Debug, Clone)]
pub struct StatusCodes<S> {
    inner: S,
}

impl<S, B, R> tower_service::Service<http::Request<B>> for StatusCodes<S>
where
    S: tower_service::Service<http::Request<B>, Response = http::Response<R>>,
    S::Future: Send + 'static,
{
    type Response = http::Response<R>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        let fut = self.inner.call(req);
        Box::pin(async move {
            let mut res = fut.await?;
            remap(res.headers_mut());
            Ok(res)
        })
    }
}

/// Rewrites a trailers-only answer's status where tonic's code differs from
/// the promised one.
pub fn remap(headers: &mut http::HeaderMap) {
    let code = headers.get("grpc-status").and_then(|v| v.to_str().ok());
    let message = headers
        .get("grpc-message")
        .and_then(|v| v.to_str().ok())
        .map(percent_decode)
        .unwrap_or_default();
    let Some(code) = code.and_then(|c| c.parse::<i32>().ok()) else {
        return;
    };
    if let Some(promised) = promised(tonic::Code::from_i32(code), &message) {
        headers.insert("grpc-status", HeaderValue::from(promised as i32));
    }
}

/// The code `api.proto` promises where tonic's own differs: for a trailers-only
/// answer ([`remap`]) or a message of a client's stream that cannot be read.
pub fn promised(code: tonic::Code, message: &str) -> Option<tonic::Code> {
    match code {
        tonic::Code::OutOfRange if message.contains(TOO_LARGE) => {
            Some(tonic::Code::ResourceExhausted)
        }
        tonic::Code::Internal
            if message.contains(UNDECODABLE)
                || message.starts_with(BAD_FRAME)
                || message.starts_with(CUT_OFF) =>
        {
            Some(tonic::Code::InvalidArgument)
        }
        _ => None,
    }
}

/// Decodes the percent-encoding gRPC uses for `grpc-message`.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Some(v) = std::str::from_utf8(&b[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn answer(code: tonic::Code, message: &str) -> http::HeaderMap {
        let st = tonic::Status::new(code, message);
        let mut h = http::HeaderMap::new();
        st.add_header(&mut h).unwrap();
        h
    }

    fn code(h: &http::HeaderMap) -> &str {
        h.get("grpc-status").unwrap().to_str().unwrap()
    }

    #[test]
    fn only_the_transport_refusals_are_rewritten() {
        let mut big = answer(
            tonic::Code::OutOfRange,
            "Error, decoded message length too large: found 200005 bytes, the limit is: 65536 bytes",
        );
        remap(&mut big);
        assert_eq!(code(&big), "8");
        let mut bad = answer(
            tonic::Code::Internal,
            "failed to decode Protobuf message: SubmitRequest.tx: invalid wire type",
        );
        remap(&mut bad);
        assert_eq!(code(&bad), "3");
        for m in [
            "protocol error: received message with compressed-flag but no grpc-encoding was specified",
            "protocol error: received message with invalid compression flag: 7 (valid flags are 0 and 1), while sending request",
            "Unexpected EOF decoding stream.",
        ] {
            let mut frame = answer(tonic::Code::Internal, m);
            remap(&mut frame);
            assert_eq!(code(&frame), "3", "{m}");
        }
        // A handler's own OUT_OF_RANGE (an amount overflow) and INTERNAL
        // (a storage failure) stay as they are.
        for (c, m) in [
            (tonic::Code::OutOfRange, "amount overflow"),
            (tonic::Code::Internal, "state read failed"),
        ] {
            let mut h = answer(c, m);
            remap(&mut h);
            assert_eq!(code(&h), (c as i32).to_string());
        }
    }
}
