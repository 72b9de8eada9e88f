//! The demo story the devnet plays: a day of the town's money, each step a
//! signed transaction through the gRPC API, with the balances after it.

use std::time::Duration;

use yui_cli::{Client, now_ms, render};
use yui_ledger::Operation;

use crate::town::Town;

const WATCHED: &[&str] = &["hana", "taro", "sakura-bakery", "city", "breakage"];

async fn balances(c: &Client, town: &Town) -> anyhow::Result<()> {
    let auditor = town.key("auditor");
    for name in WATCHED {
        let a = c.account(auditor, &town.key(name).address()).await?;
        let parts: Vec<String> = a
            .balances
            .iter()
            .map(|b| format!("{} {}", b.total, b.asset))
            .collect();
        println!(
            "      {name:<14} {}",
            if parts.is_empty() {
                "-".into()
            } else {
                parts.join(", ")
            }
        );
    }
    Ok(())
}

async fn step(
    c: &Client,
    town: &Town,
    n: u32,
    title: &str,
    who: &str,
    op: Operation,
) -> anyhow::Result<()> {
    println!("{n}. {title}");
    let r = c.execute(town.key(who), op).await?;
    print_events(town, &r);
    println!(
        "   committed in block {} ({})",
        r.height,
        block_date(c, r.height).await
    );
    balances(c, town).await
}

fn print_events(town: &Town, r: &yui_proto::v1::Receipt) {
    for e in &r.events {
        let parts: Vec<String> = e
            .parts
            .iter()
            .map(|p| format!("{} {}", p.amount, p.asset))
            .collect();
        let detail = if !e.detail.is_empty() || !e.note.is_empty() {
            // Credential, consent and governance events carry words, not amounts.
            format!("{} {}", e.detail, e.note).trim().to_string()
        } else if parts.is_empty() && e.amount == 0 && e.asset.is_empty() {
            String::new()
        } else if parts.is_empty() {
            format!("{} {}", e.amount, e.asset)
        } else {
            parts.join(" + ")
        };
        let fee = if e.fee > 0 {
            format!(" (fee {})", e.fee)
        } else {
            String::new()
        };
        let fee = if e.expires_at_ms > 0 {
            format!("{fee} (expires {})", render::date_s(e.expires_at_ms))
        } else {
            fee
        };
        println!(
            "   → {:<12} {detail}{fee} {} → {} {}",
            e.kind,
            if e.from.is_empty() {
                "-".into()
            } else {
                town.name_of(&e.from)
            },
            if e.to.is_empty() {
                "-".into()
            } else {
                town.name_of(&e.to)
            },
            e.reference
        );
    }
}

/// One step of a scene: its title and events, without the balance table.
pub async fn job_step(
    c: &Client,
    town: &Town,
    title: &str,
    who: &str,
    op: Operation,
) -> anyhow::Result<()> {
    println!("   {title}");
    let r = c.execute(town.key(who), op).await?;
    print_events(town, &r);
    Ok(())
}

/// Microwork: two jobs paid from escrow, one approved and one disputed.
async fn jobs_scene(c: &Client, town: &Town, n: u32) -> anyhow::Result<()> {
    let a = |n: &str| town.key(n).address();
    let sha = |t: &str| yui_ledger::crypto::sha256(t.as_bytes());
    println!("{n}. Microwork: jobs paid from escrow, coordinated by coord-kita.");
    job_step(
        c,
        town,
        "Hana set up the festival tents: the city grants her 1,000 結 (yui) points, the town's mutual-aid points.",
        "city",
        Operation::Grant {
            to: a("hana"),
            asset: "yui".into(),
            amount: 1_000,
            reason: "festival set-up volunteer".into(),
            event_id: Some("festival-setup-2026".into()),
        },
    )
    .await?;
    let deadline = now_ms() + 3_600_000;
    job_step(
        c,
        town,
        "Hana posts \"walk my dog\" for 500 yui points, for digital residents, to be accepted within the hour.",
        "hana",
        Operation::PostJob {
            job_id: "walk-dog-1".into(),
            asset: "yui".into(),
            reward: 500,
            coordinator: a("coord-kita"),
            accept_deadline_ms: deadline,
            required_credential: Some("digital_resident".into()),
            description_hash: sha("walk my dog"),
        },
    )
    .await?;
    crate::civic::refused(
        c,
        town,
        "Taro tries to accept it, but it is for digital residents.",
        "taro",
        Operation::AcceptJob {
            job_id: "walk-dog-1".into(),
        },
    )
    .await?;
    job_step(
        c,
        town,
        "Emma, holding an active digital_resident credential, accepts it.",
        "emma",
        Operation::AcceptJob {
            job_id: "walk-dog-1".into(),
        },
    )
    .await?;
    job_step(
        c,
        town,
        "Emma submits a photo of the walk as proof (its SHA-256 goes on chain).",
        "emma",
        Operation::SubmitJob {
            job_id: "walk-dog-1".into(),
            proof_hash: sha("photo: Pochi at the riverside, 45 minutes"),
        },
    )
    .await?;
    job_step(
        c,
        town,
        "Hana approves with rating 5: the escrow pays Emma.",
        "hana",
        Operation::ApproveJob {
            job_id: "walk-dog-1".into(),
            rating: Some(5),
        },
    )
    .await?;
    job_step(
        c,
        town,
        "Taro posts \"fix my fence\" for 500 coins.",
        "taro",
        Operation::PostJob {
            job_id: "fix-fence-1".into(),
            asset: "coin".into(),
            reward: 500,
            coordinator: a("coord-kita"),
            accept_deadline_ms: deadline,
            required_credential: None,
            description_hash: sha("fix my fence"),
        },
    )
    .await?;
    job_step(
        c,
        town,
        "Hana accepts it.",
        "hana",
        Operation::AcceptJob {
            job_id: "fix-fence-1".into(),
        },
    )
    .await?;
    job_step(
        c,
        town,
        "Hana submits her work.",
        "hana",
        Operation::SubmitJob {
            job_id: "fix-fence-1".into(),
            proof_hash: sha("fence: two boards replaced"),
        },
    )
    .await?;
    job_step(
        c,
        town,
        "Taro disputes: one board is still loose.",
        "taro",
        Operation::DisputeJob {
            job_id: "fix-fence-1".into(),
            reason_hash: sha("one board is still loose"),
        },
    )
    .await?;
    job_step(
        c,
        town,
        "coord-kita resolves the dispute: 300 to Hana, 200 back to Taro.",
        "coord-kita",
        Operation::ResolveJob {
            job_id: "fix-fence-1".into(),
            to_worker: 300,
        },
    )
    .await?;
    let jobs = c
        .jobs
        .clone()
        .list_jobs(yui_proto::v1::ListJobsRequest {
            state: "all".into(),
            ..Default::default()
        })
        .await?
        .into_inner();
    println!("   Jobs:");
    for j in &jobs.jobs {
        let steps: Vec<&str> = j.history.iter().map(|h| h.action.as_str()).collect();
        println!(
            "      {:<12} {:<9} {} {} by {} for {}, worker {}: {}",
            j.id,
            j.state,
            j.reward,
            j.asset,
            town.name_of(&j.poster),
            town.name_of(&j.coordinator),
            town.name_of(&j.worker),
            steps.join(" → ")
        );
    }
    let r = c
        .jobs
        .clone()
        .get_reputation(yui_proto::v1::GetReputationRequest {
            address: a("emma").0.to_vec(),
        })
        .await?
        .into_inner();
    println!(
        "   Emma's reputation: {} job(s) completed, average rating {:.1} from {} rating(s), {} dispute(s) lost",
        r.jobs_completed,
        r.rating_sum as f64 / r.rating_count.max(1) as f64,
        r.rating_count,
        r.disputes_lost
    );
    let auditor = town.key("auditor");
    for name in ["hana", "taro", "emma"] {
        let coins = c.balance(auditor, &a(name), "coin").await?;
        let points = c.balance(auditor, &a(name), "yui").await?;
        println!("      {name:<14} {coins} coin, {points} yui points");
    }
    Ok(())
}

/// The date of block `height` in the node's time zone, for people.
pub async fn block_date(c: &Client, height: u64) -> String {
    let block = c
        .chain
        .clone()
        .get_block(yui_proto::v1::GetBlockRequest {
            height,
            hash: vec![],
            auth: None,
        })
        .await;
    match block.ok().and_then(|b| b.into_inner().header) {
        Some(h) => render::date_s(h.time_ms),
        None => format!("block {height}"),
    }
}

pub async fn play(c: &Client, town: &Town) -> anyhow::Result<()> {
    // Dates as the town reads them: the node's zone (Asia/Tokyo here).
    if let Err(e) = render::set_time_zone(&c.time_zone) {
        println!("   ({e}; dates in UTC)");
    }
    let a = |n: &str| town.key(n).address();
    step(
        c,
        town,
        1,
        "Hana charges 10,000 yen at the city hall: 10,000 coins, and a 1% welcome bonus in points.",
        "city",
        Operation::Charge {
            to: a("hana"),
            asset: "coin".into(),
            amount: 10_000,
            deposit_ref: "bank-20261122-0001".into(),
            campaign: Some("welcome-bonus".into()),
        },
    )
    .await?;
    step(
        c,
        town,
        2,
        "Taro charges 8,000 yen; the bonus budget runs out part-way (50 points left of 150).",
        "city",
        Operation::Charge {
            to: a("taro"),
            asset: "coin".into(),
            amount: 8_000,
            deposit_ref: "bank-20261122-0002".into(),
            campaign: Some("welcome-bonus".into()),
        },
    )
    .await?;
    step(
        c,
        town,
        3,
        "Taro helped clean the riverside park: the city grants 500 volunteer points.",
        "city",
        Operation::Grant {
            to: a("taro"),
            asset: "point".into(),
            amount: 500,
            reason: "riverside clean-up".into(),
            event_id: Some("cleanup-2026-11".into()),
        },
    )
    .await?;
    println!("4. The same event cannot pay Taro twice:");
    crate::civic::refused(
        c,
        town,
        "The city grants the clean-up points again.",
        "city",
        Operation::Grant {
            to: a("taro"),
            asset: "point".into(),
            amount: 500,
            reason: "riverside clean-up".into(),
            event_id: Some("cleanup-2026-11".into()),
        },
    )
    .await?;
    step(c, town, 5, "The autumn festival hands out 300 festival points to Hana, valid for 20 seconds from genesis.", "city",
        Operation::Grant { to: a("hana"), asset: "festival".into(), amount: 300, reason: "autumn festival".into(), event_id: Some("festival-2026".into()) }).await?;
    step(
        c,
        town,
        6,
        "Hana buys bread for 3,000 at Sakura Bakery: her points go first, then coins.",
        "hana",
        Operation::Pay {
            merchant: a("sakura-bakery"),
            invoice_id: "SB-0001".into(),
            amount: 3_000,
            assets: vec![],
        },
    )
    .await?;
    step(
        c,
        town,
        7,
        "One loaf was stale: the bakery refunds 1,000 of the invoice.",
        "sakura-bakery",
        Operation::Refund {
            invoice_id: "SB-0001".into(),
            amount: 1_000,
        },
    )
    .await?;
    step(
        c,
        town,
        8,
        "The bakery redeems 1,500 coins for yen; 1.5% goes to the city as operator.",
        "sakura-bakery",
        Operation::Redeem {
            asset: "coin".into(),
            amount: 1_500,
            payout_ref: "payout-SB-2026-11".into(),
        },
    )
    .await?;
    step(
        c,
        town,
        9,
        "Taro pays Sakura Bakery 700: his points go first, then coins.",
        "taro",
        Operation::Pay {
            merchant: a("sakura-bakery"),
            invoice_id: "SB-0002".into(),
            amount: 700,
            assets: vec![],
        },
    )
    .await?;
    step(
        c,
        town,
        10,
        "A festival grant to Taro he will not spend in time.",
        "city",
        Operation::Grant {
            to: a("taro"),
            asset: "festival".into(),
            amount: 200,
            reason: "autumn festival".into(),
            event_id: Some("festival-2026".into()),
        },
    )
    .await?;
    let wait = town.festival_expiry_ms().saturating_sub(now_ms());
    println!(
        "11. Waiting {:.1} s, until {}, for the festival points to expire into the breakage account…",
        wait as f64 / 1000.0,
        render::date_s(town.festival_expiry_ms())
    );
    tokio::time::sleep(Duration::from_millis(wait + 1_500)).await;
    balances(c, town).await?;
    crate::civic::credential_scene(c, town, 12).await?;
    jobs_scene(c, town, 13).await?;
    crate::civic::revocation_scene(c, town, 14).await?;
    crate::civic::governance_scene(c, town, 15).await?;
    crate::contracts::contracts_scene(c, town, 16).await?;
    let assets = c
        .assets
        .clone()
        .list_assets(yui_proto::v1::ListAssetsRequest {})
        .await?
        .into_inner();
    println!("17. Supply by asset (issued − burned = held; expired moved to breakage):");
    for x in assets.assets {
        println!(
            "      {:<10} issued {:>6}  burned {:>6}  expired {:>6}",
            x.id, x.issued, x.burned, x.expired
        );
    }
    Ok(())
}
