//! Contract helpers shared by the `yui` CLI, the devnet and the tests:
//! uploading code in chunks, and borsh arguments and outputs written as
//! typed values on a command line.
//!
//! A contract's arguments are a borsh tuple: its fields one after another.
//! On the command line each field is `type:value`, e.g.
//! `addr:.devnet/keys/taro.json u32:2 str:resident`; the types are `u8`,
//! `u16`, `u32`, `u64`, `bool`, `str`, `addr` (an address in hex or a key
//! file) and `hex` (raw bytes, written as they are, with no length).

use yui_ledger::contract::CODE_CHUNK_BYTES_MAX;
use yui_ledger::crypto::sha256;
use yui_ledger::{Hash, Keypair, Operation};
use yui_proto::v1 as pb;

use crate::{Client, keyfile};

/// Uploads `code` in chunks signed by `key` (a consortium member) and
/// returns its hash. Code already on chain is not uploaded again.
pub async fn upload(
    c: &Client,
    key: &Keypair,
    code: &[u8],
    mut progress: impl FnMut(usize, usize),
) -> anyhow::Result<Hash> {
    let hash = sha256(code);
    let on_chain = c
        .chain
        .clone()
        .get_proof(pb::GetProofRequest {
            kind: "code".into(),
            address: hash.to_vec(),
            ..Default::default()
        })
        .await?
        .into_inner()
        .present;
    if on_chain {
        return Ok(hash);
    }
    let total_len = u32::try_from(code.len())
        .map_err(|_| anyhow::anyhow!("code of {} bytes is too large", code.len()))?;
    let chunks: Vec<&[u8]> = code.chunks(CODE_CHUNK_BYTES_MAX).collect();
    for (i, chunk) in chunks.iter().enumerate() {
        let op = Operation::UploadCode {
            code_hash: hash,
            total_len,
            index: i as u32,
            chunk: chunk.to_vec(),
        };
        c.execute(key, op).await?;
        progress(i + 1, chunks.len());
    }
    Ok(hash)
}

/// Contract code named on a command line: a `.wasm` file, or its hash in hex.
pub enum CodeArg {
    File(Vec<u8>),
    Hash(Hash),
}

impl CodeArg {
    pub fn parse(arg: &str) -> anyhow::Result<Self> {
        let path = std::path::Path::new(arg);
        if path.exists() {
            let bytes = std::fs::read(path)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
            return Ok(CodeArg::File(bytes));
        }
        hex::decode(arg)
            .ok()
            .and_then(|b| b.try_into().ok())
            .map(CodeArg::Hash)
            .ok_or_else(|| anyhow::anyhow!("'{arg}' must be a .wasm file or a 64-hex-digit hash"))
    }

    /// The code's hash (hashing a file's bytes).
    pub fn hash(&self) -> Hash {
        match self {
            CodeArg::File(code) => sha256(code),
            CodeArg::Hash(h) => *h,
        }
    }
}

/// Encodes `type:value` fields as a borsh tuple.
pub fn encode_args(fields: &[String]) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    for f in fields {
        let (ty, v) = f
            .split_once(':')
            .ok_or_else(|| anyhow::anyhow!("argument '{f}' must be type:value, e.g. u64:100"))?;
        let bad = |e: &dyn std::fmt::Display| anyhow::anyhow!("argument '{f}': {e}");
        let bytes = match ty {
            "u8" => borsh::to_vec(&v.parse::<u8>().map_err(|e| bad(&e))?)?,
            "u16" => borsh::to_vec(&v.parse::<u16>().map_err(|e| bad(&e))?)?,
            "u32" => borsh::to_vec(&v.parse::<u32>().map_err(|e| bad(&e))?)?,
            "u64" => borsh::to_vec(&v.parse::<u64>().map_err(|e| bad(&e))?)?,
            "bool" => borsh::to_vec(&v.parse::<bool>().map_err(|e| bad(&e))?)?,
            "str" => borsh::to_vec(v)?,
            "addr" => keyfile::address(v)?.0.to_vec(),
            "hex" => hex::decode(v).map_err(|e| bad(&e))?,
            other => anyhow::bail!(
                "argument '{f}': unknown type '{other}' (u8, u16, u32, u64, bool, str, addr, hex)"
            ),
        };
        out.extend(bytes);
    }
    Ok(out)
}

/// Decodes a borsh output as the comma-separated `types` (as for
/// arguments, plus `vec:u64` for a list); empty `types` gives the hex.
pub fn decode_output(types: &str, bytes: &[u8]) -> anyhow::Result<serde_json::Value> {
    use serde_json::{Value, json};
    if types.is_empty() {
        return Ok(json!(hex::encode(bytes)));
    }
    let mut rest = bytes;
    let mut out = Vec::new();
    for ty in types.split(',') {
        let v: Value = match ty.trim() {
            "u8" => json!(borsh::de::BorshDeserialize::deserialize(&mut rest).map(|x: u8| x)?),
            "u16" => json!(borsh::de::BorshDeserialize::deserialize(&mut rest).map(|x: u16| x)?),
            "u32" => json!(borsh::de::BorshDeserialize::deserialize(&mut rest).map(|x: u32| x)?),
            "u64" => json!(borsh::de::BorshDeserialize::deserialize(&mut rest).map(|x: u64| x)?),
            "bool" => {
                json!(borsh::de::BorshDeserialize::deserialize(&mut rest).map(|x: bool| x)?)
            }
            "str" => {
                json!(borsh::de::BorshDeserialize::deserialize(&mut rest).map(|x: String| x)?)
            }
            "addr" => {
                let a: [u8; 32] = borsh::de::BorshDeserialize::deserialize(&mut rest)?;
                json!(hex::encode(a))
            }
            "vec:u64" => {
                json!(borsh::de::BorshDeserialize::deserialize(&mut rest).map(|x: Vec<u64>| x)?)
            }
            other => anyhow::bail!(
                "unknown output type '{other}' (u8, u16, u32, u64, bool, str, addr, vec:u64)"
            ),
        };
        out.push(v);
    }
    if !rest.is_empty() {
        anyhow::bail!("{} bytes left over after {types}", rest.len());
    }
    Ok(if out.len() == 1 {
        out.remove(0)
    } else {
        Value::Array(out)
    })
}

/// Parses `asset=amount` pairs (value attached to a call, budget lines).
pub fn asset_amounts(pairs: &[String]) -> anyhow::Result<Vec<(String, u64)>> {
    pairs
        .iter()
        .map(|p| {
            let (a, n) = p
                .split_once('=')
                .ok_or_else(|| anyhow::anyhow!("'{p}' must be asset=amount"))?;
            let n = n
                .parse::<u64>()
                .map_err(|e| anyhow::anyhow!("'{p}': {e}"))?;
            Ok((a.to_string(), n))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn typed_fields_are_a_borsh_tuple_and_decode_back() {
        let a = [7u8; 32];
        let bytes = encode_args(&[
            format!("addr:{}", hex::encode(a)),
            "u32:5".into(),
            "str:resident".into(),
            "u64:13000".into(),
        ])
        .unwrap();
        assert_eq!(
            bytes,
            borsh::to_vec(&(a, 5u32, "resident".to_string(), 13_000u64)).unwrap()
        );
        let v = decode_output("addr,u32,str,u64", &bytes).unwrap();
        assert_eq!(v, serde_json::json!([hex::encode(a), 5, "resident", 13000]));
        assert!(decode_output("u32", &bytes).is_err(), "bytes left over");
        assert!(encode_args(&["u8:300".into()]).is_err());
        assert!(encode_args(&["f64:1.5".into()]).is_err());
        assert_eq!(
            asset_amounts(&["coin=10000".into()]).unwrap(),
            vec![("coin".to_string(), 10_000)]
        );
    }
}
