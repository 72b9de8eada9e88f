//! The devnet story's contract scenes: the consortium votes town rules in as
//! WebAssembly contracts — a clean-up day that pays each attendee once, a
//! premium-voucher sale for residents, and a civic poll whose voters earn
//! points; and a buggy contract that loops for ever, failing alone.

use std::path::PathBuf;
use std::process::Command;

use yui_cli::{Client, now_ms};
use yui_ledger::Operation;
use yui_ledger::asset::DAY_MS;
use yui_ledger::governance::GovAction;
use yui_proto::v1 as pb;

use crate::civic::{pass, refused};
use crate::story::job_step as act;
use crate::town::Town;

/// Fuel the story's calls may burn.
const FUEL: u64 = 1_000_000;

/// The town contracts' folder: `wasm-contracts` in the current directory
/// (the repository's root, where `./run.sh devnet` starts the devnet), else
/// beside the source this program was built from. A build directory shared
/// by several clones of the repository may hold a `yui-devnet` built from
/// another clone, so the build-time path alone can name a folder that is
/// gone.
fn contracts_root() -> anyhow::Result<PathBuf> {
    let here = PathBuf::from("wasm-contracts");
    let built_from = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../wasm-contracts");
    [here, built_from]
        .into_iter()
        .find(|root| root.join("build.sh").exists())
        .ok_or_else(|| {
            anyhow::anyhow!(
                "the town contracts (wasm-contracts/) are not in this directory: start the devnet from the repository's root"
            )
        })
}

/// A contract's `.wasm`, built by `wasm-contracts/build.sh` if missing.
pub fn wasm(name: &str) -> anyhow::Result<Vec<u8>> {
    let root = contracts_root()?;
    let path = root.join(format!(
        "contracts/target/wasm32v1-none/release/{name}.wasm"
    ));
    if !path.exists() {
        let ok = Command::new(root.join("build.sh")).status()?.success();
        if !ok {
            anyhow::bail!("wasm-contracts/build.sh failed");
        }
    }
    std::fs::read(&path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))
}

/// The city uploads the code; city, chamber and coord-kita vote it in.
async fn deploy(
    c: &Client,
    town: &Town,
    name: &str,
    init_args: Vec<u8>,
    assets: &[&str],
    budget: &[(&str, u64)],
) -> anyhow::Result<()> {
    let code = wasm(&name.replace('-', "_"))?;
    let hash = yui_cli::contracts::upload(c, town.key("city"), &code, |_, _| {}).await?;
    println!(
        "   The city uploads {name} ({} bytes of WebAssembly, code {}…).",
        code.len(),
        &hex::encode(hash)[..12]
    );
    let action = GovAction::DeployContract {
        contract_id: name.into(),
        code_hash: hash,
        init_args,
        assets: assets.iter().map(|a| a.to_string()).collect(),
        budget: budget.iter().map(|(a, n)| (a.to_string(), *n)).collect(),
    };
    pass(
        c,
        town,
        &format!("deploy-{name}"),
        action,
        &["chamber", "coord-kita"],
    )
    .await
}

fn call(contract: &str, method: &str, args: Vec<u8>, attach: &[(&str, u64)]) -> Operation {
    Operation::CallContract {
        contract_id: contract.into(),
        method: method.into(),
        args,
        fuel_limit: FUEL,
        attach: attach.iter().map(|(a, n)| (a.to_string(), *n)).collect(),
    }
}

fn args(v: impl borsh::BorshSerialize) -> anyhow::Result<Vec<u8>> {
    Ok(borsh::to_vec(&v)?)
}

async fn query(c: &Client, contract: &str, method: &str) -> anyhow::Result<Vec<u8>> {
    Ok(c.contracts
        .clone()
        .query(pb::QueryContractRequest {
            contract_id: contract.into(),
            method: method.into(),
            args: vec![],
            fuel_limit: 0,
        })
        .await?
        .into_inner()
        .output)
}

/// A clean-up day: coord-kita records who came; each attendee is paid once.
async fn clean_up_day(c: &Client, town: &Town) -> anyhow::Result<()> {
    let a = |n: &str| town.key(n).address();
    println!("   ・Clean-up day (town clean-up, 100 points to each attendee, 50,000 in all):");
    let init = args((a("coord-kita").0, "point".to_string(), 100u64))?;
    deploy(c, town, "cleanup-day", init, &[], &[("point", 50_000)]).await?;
    let record = || {
        call(
            "cleanup-day",
            "record",
            borsh::to_vec(&a("taro").0).unwrap_or_default(),
            &[],
        )
    };
    act(
        c,
        town,
        "coord-kita records that Taro came: the contract grants him 100 points from its budget.",
        "coord-kita",
        record(),
    )
    .await?;
    refused(
        c,
        town,
        "coord-kita records Taro again (abort code 5: each attendee is paid once).",
        "coord-kita",
        record(),
    )
    .await
}

/// A premium-voucher sale: 10,000 coins buy 13,000 vouchers, residents
/// only, at most 5 sets each; the coins go to the city.
async fn voucher_sale(c: &Client, town: &Town) -> anyhow::Result<()> {
    let a = |n: &str| town.key(n).address();
    println!(
        "   ・プレミアム付商品券 (premium vouchers): 10,000 coins buy 13,000, 5 sets each, residents only:"
    );
    let wallet = yui_cli::claims::salt_claims(r#"{"name": "Hana Sato", "district": "kita"}"#)?;
    let now = now_ms();
    act(
        c,
        town,
        "The city issues Hana a resident credential (only its salted digest goes on chain).",
        "city",
        Operation::IssueCredential {
            credential_id: "res-hana-2026".into(),
            subject: a("hana"),
            kind: "resident".into(),
            valid_from_ms: now,
            valid_until_ms: now + 365 * DAY_MS,
            claims_digest: wallet.digest()?,
        },
    )
    .await?;
    act(
        c,
        town,
        "Hana charges 60,000 yen for the sale.",
        "city",
        Operation::Charge {
            to: a("hana"),
            asset: "coin".into(),
            amount: 60_000,
            deposit_ref: "bank-20261122-0003".into(),
            campaign: None,
        },
    )
    .await?;
    let init = args((
        a("city").0,
        "coin".to_string(),
        "voucher".to_string(),
        10_000u64,
        13_000u64,
        5u32,
        "resident".to_string(),
        now.saturating_sub(60_000),
        now + DAY_MS,
    ))?;
    deploy(
        c,
        town,
        "voucher-sale",
        init,
        &["coin"],
        &[("voucher", 650_000)],
    )
    .await?;
    act(
        c,
        town,
        "Hana buys 5 sets: 50,000 coins pass through the contract to the city; 65,000 vouchers to her.",
        "hana",
        call("voucher-sale", "buy", args(5u32)?, &[("coin", 50_000)]),
    )
    .await?;
    refused(
        c,
        town,
        "Hana tries a sixth set (abort code 7: at most 5 sets a person); her 10,000 coins stay hers.",
        "hana",
        call("voucher-sale", "buy", args(1u32)?, &[("coin", 10_000)]),
    )
    .await?;
    let (sets, buyers): (u64, u64) = borsh::from_slice(&query(c, "voucher-sale", "stats").await?)?;
    println!("   The sale's public figures: {sets} sets sold to {buyers} buyer(s).");
    Ok(())
}

/// A civic poll: residents answer once and earn 50 points; the tally is public.
async fn civic_poll(c: &Client, town: &Town) -> anyhow::Result<()> {
    println!(
        "   ・Civic poll: \"What should the riverside park add?\" (0 benches, 1 a playground, 2 trees):"
    );
    let init = args((
        "riverside-park-2027".to_string(),
        3u8,
        "point".to_string(),
        50u64,
        "resident".to_string(),
        now_ms() + DAY_MS,
    ))?;
    deploy(c, town, "civic-poll", init, &[], &[("point", 5_000)]).await?;
    act(
        c,
        town,
        "Hana answers \"trees\" and earns 50 points.",
        "hana",
        call("civic-poll", "answer", args(2u8)?, &[]),
    )
    .await?;
    refused(
        c,
        town,
        "Taro answers too, but holds no resident credential (abort code 7).",
        "taro",
        call("civic-poll", "answer", args(1u8)?, &[]),
    )
    .await?;
    let tally: Vec<u64> = borsh::from_slice(&query(c, "civic-poll", "tally").await?)?;
    println!(
        "   The public tally: benches {}, playground {}, trees {}.",
        tally[0], tally[1], tally[2]
    );
    Ok(())
}

/// A buggy contract whose method never ends: the call fails alone, with its
/// fuel, and every node holds the same state root after it.
async fn runaway(c: &Client, town: &Town) -> anyhow::Result<()> {
    println!("   ・A buggy contract whose `draw` loops for ever:");
    let code = wat::parse_str(
        r#"(module (memory (export "memory") 1)
            (func (export "draw") (loop $l (br $l))))"#,
    )?;
    let hash = yui_cli::contracts::upload(c, town.key("city"), &code, |_, _| {}).await?;
    let action = GovAction::DeployContract {
        contract_id: "lottery".into(),
        code_hash: hash,
        init_args: vec![],
        assets: vec![],
        budget: vec![],
    };
    pass(
        c,
        town,
        "deploy-lottery",
        action,
        &["chamber", "coord-kita"],
    )
    .await?;
    let hana = town.key("hana");
    let stx = c
        .sign(
            hana,
            c.next_nonce(hana).await?,
            call("lottery", "draw", vec![], &[]),
        )
        .await?;
    let r = c.submit(&stx, true).await?.receipt.unwrap_or_default();
    println!(
        "   Hana draws: the call fails in block {} ({}); her nonce is used, nothing else changes.",
        r.height, r.error
    );
    let mut roots = Vec::new();
    for (name, endpoint) in &town.endpoints {
        let node = Client::connect(endpoint).await?;
        let mut root = None;
        for _ in 0..100 {
            let b = node
                .chain
                .clone()
                .get_block(pb::GetBlockRequest {
                    height: r.height,
                    ..Default::default()
                })
                .await;
            if let Ok(b) = b {
                root = b.into_inner().header.map(|h| h.state_root);
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let root = root.ok_or_else(|| anyhow::anyhow!("{name} lacks block {}", r.height))?;
        roots.push((name.clone(), root));
    }
    let first = &roots[0].1;
    if roots.iter().any(|(_, r)| r != first) {
        anyhow::bail!("the nodes disagree on the state root: {roots:?}");
    }
    println!(
        "   All {} nodes hold state root {}… at block {}.",
        roots.len(),
        &hex::encode(first)[..16],
        r.height
    );
    Ok(())
}

/// The contracts, then what each has done.
pub async fn contracts_scene(c: &Client, town: &Town, n: u32) -> anyhow::Result<()> {
    println!("{n}. Town rules as WebAssembly contracts, voted in by the consortium:");
    clean_up_day(c, town).await?;
    voucher_sale(c, town).await?;
    civic_poll(c, town).await?;
    runaway(c, town).await?;
    let list = c
        .contracts
        .clone()
        .list_contracts(pb::ListContractsRequest {
            limit: 100,
            page_token: vec![],
        })
        .await?
        .into_inner();
    for k in list.contracts {
        let spent: Vec<String> = k
            .budget
            .iter()
            .map(|b| format!("{} of {} {}", b.granted, b.allotted, b.asset))
            .collect();
        println!(
            "   {:<13} {} calls, {} fuel, budget spent: {}",
            k.id,
            k.calls,
            k.fuel_used,
            if spent.is_empty() {
                "none (it has no budget)".into()
            } else {
                spent.join(", ")
            }
        );
    }
    Ok(())
}
