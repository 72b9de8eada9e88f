//! Yui's gRPC API: the generated protobuf messages and tonic services.
//!
//! Only this crate knows the wire types; the node, the CLI and the devnet
//! convert at their boundary.
#![forbid(unsafe_code)]
#![allow(clippy::all)]

pub mod v1 {
    tonic::include_proto!("yui.v1");

    /// Encoded file descriptor set, for the gRPC reflection service.
    pub const FILE_DESCRIPTOR_SET: &[u8] = tonic::include_file_descriptor_set!("yui_descriptor");
}
