//! Yui's gRPC API: the generated protobuf messages and tonic services.
//!
//! Only this crate knows the wire types; the node, the CLI and the devnet
//! convert at their boundary.
#![forbid(unsafe_code)]
#![allow(clippy::all)]
// The messages' docs are api.proto's comments, written for readers of the
// .proto file, not as rustdoc (brackets and angle brackets in prose).
#![allow(rustdoc::broken_intra_doc_links, rustdoc::invalid_html_tags)]

pub mod v1 {
    tonic::include_proto!("yui.v1");

    /// Encoded file descriptor set, for the gRPC reflection service.
    pub const FILE_DESCRIPTOR_SET: &[u8] = tonic::include_file_descriptor_set!("yui_descriptor");
}
