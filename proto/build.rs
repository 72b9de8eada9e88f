//! Compiles `yui/v1/*.proto` with protox (pure Rust), so no system `protoc` is
//! needed, and writes the descriptor set used by gRPC reflection.

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let files = [
        "yui/v1/types.proto",
        "yui/v1/api.proto",
        "yui/v1/contracts.proto",
        "yui/v1/analytics.proto",
    ];
    for f in &files {
        println!("cargo:rerun-if-changed={f}");
    }
    let fds = protox::compile(files, ["."])?;
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    std::fs::write(
        out.join("yui_descriptor.bin"),
        prost::Message::encode_to_vec(&fds),
    )?;
    tonic_prost_build::configure().compile_fds(fds)?;
    Ok(())
}
