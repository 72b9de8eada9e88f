//! `Transactions.SubmitStream` on the bytes of a request body, as they come
//! off the wire: gRPC's frames (a compression flag, a big-endian length, a
//! protobuf `SubmitRequest`) read by tonic's own decoder with the node's
//! size limit, then answered by the node's stream service.

use std::collections::BTreeSet;

use futures::StreamExt;
use prost::Message;
use tonic::codec::{Codec, Streaming};
use tonic::{Code, Request};
use yui_node::api::Api;
use yui_proto::v1 as pb;

use crate::node::{node, promised};
use crate::seeds::{Seed, seed};

/// A frame's header: the compression flag and the length.
const HEADER: usize = 5;

/// `data` with every leading whole frame that decodes as a `SubmitRequest`
/// re-encoded not to wait for its commit (the fuzz node has no engine, so
/// nothing commits and a waiting submission would only wait out its
/// timeout). From the first frame that does not (compressed, truncated,
/// undecodable), the bytes are kept as they are. Also returns how many
/// frames were re-encoded.
fn not_waiting(data: &[u8]) -> (Vec<u8>, usize) {
    let mut out = Vec::with_capacity(data.len());
    let mut rest = data;
    let mut frames = 0;
    while let Some((&[flag, a, b, c, d], after)) = rest.split_first_chunk::<HEADER>() {
        let len = u32::from_be_bytes([a, b, c, d]) as usize;
        let Some(body) = after.get(..len).filter(|_| flag == 0) else {
            break;
        };
        let Ok(req) = pb::SubmitRequest::decode(body) else {
            break;
        };
        let req = pb::SubmitRequest {
            wait_for_commit: false,
            ..req
        };
        out.extend(frame(&req.encode_to_vec()));
        frames += 1;
        rest = &after[len..];
    }
    out.extend_from_slice(rest);
    (out, frames)
}

fn frame(message: &[u8]) -> Vec<u8> {
    let mut f = vec![0];
    f.extend((message.len() as u32).to_be_bytes());
    f.extend(message);
    f
}

/// The input is the body of a `SubmitStream` call.
///
/// Properties: no panic; the stream ends; each answer names a different
/// position among the submissions that were read whole; an answer is a
/// success with its response or one of the codes `api.proto` promises for
/// bad input, never INTERNAL, UNKNOWN, UNIMPLEMENTED or DATA_LOSS; so is
/// the status the stream may end with, and nothing comes after it.
pub fn grpc_stream(data: &[u8]) {
    use pb::transactions_server::Transactions;
    let n = node();
    let (body, decodable) = not_waiting(data);
    let frames = body.len() / HEADER + 1;
    let decoder =
        tonic_prost::ProstCodec::<pb::SubmitStreamResponse, pb::SubmitRequest>::default().decoder();
    let input = Streaming::new_request(
        decoder,
        http_body_util::Full::new(bytes::Bytes::from(body)),
        None,
        Some(n.request_bytes_max),
    );
    let answers = n.runtime.block_on(async {
        match <Api as Transactions>::submit_stream(&n.api, Request::new(input)).await {
            Err(s) => vec![Err(s)],
            Ok(r) => r.into_inner().collect::<Vec<_>>().await,
        }
    });
    let mut seen = BTreeSet::new();
    for (i, a) in answers.iter().enumerate() {
        match a {
            Ok(a) => {
                assert!(seen.insert(a.seq), "position {} answered twice", a.seq);
                assert!((a.seq as usize) < frames, "position {} of no frame", a.seq);
                let code = Code::from(a.code as i32);
                assert_eq!(code == Code::Ok, a.response.is_some(), "{a:?}");
                assert!(promised(code), "position {}: {code:?}", a.seq);
            }
            Err(s) => {
                assert_eq!(i + 1, answers.len(), "an answer after the stream's end");
                assert!(promised(s.code()), "the stream ended with {s:?}");
            }
        }
    }
    assert!(
        seen.len() >= decodable,
        "{} of {decodable} whole submissions answered",
        seen.len()
    );
}

/// Seeds: a stream of a good submission, a malformed one and a replay; one
/// whose second frame declares more than the node reads; one cut off
/// inside a frame; a compressed frame (the node accepts none).
pub(crate) fn seeds(txs: &[(String, yui_ledger::SignedTransaction)], out: &mut Vec<Seed>) {
    let submit = |tx: Vec<u8>| {
        frame(
            &pb::SubmitRequest {
                tx,
                ..Default::default()
            }
            .encode_to_vec(),
        )
    };
    let good = txs.first().map(|(_, t)| submit(t.to_bytes()));
    let good = good.unwrap_or_else(|| submit(vec![1, 2, 3]));
    let bad = submit(vec![0xff; 40]);
    out.push(seed(
        "grpc_stream",
        "three",
        [good.clone(), bad, good.clone()].concat(),
    ));
    let mut oversize = good.clone();
    oversize.extend([0, 0x7f, 0xff, 0xff, 0xff, 1, 2, 3]);
    out.push(seed("grpc_stream", "oversize", oversize));
    out.push(seed("grpc_stream", "cut", good[..good.len() / 2].to_vec()));
    let mut compressed = good.clone();
    compressed[0] = 1;
    out.push(seed("grpc_stream", "compressed", compressed));
    out.push(seed("grpc_stream", "empty", Vec::new()));
}
