//! The export's rows, from hand-built events and from a small chain built,
//! certified and replayed here: what each table holds, pseudonyms, the
//! balances at each period's end against the state, CSV and Parquet read
//! back (Parquet with the crate's own reader), and a failed replay that
//! leaves no file.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use yui_consensus::{CommitCertificate, Validator, ValidatorSet, Vote, VoteKind};
use yui_ledger::block::tx_root;
use yui_ledger::commitment::{self, MemTree};
use yui_ledger::exec::receipts_root;
use yui_ledger::receipt::MintSource;
use yui_ledger::town::Town;
use yui_ledger::{
    Address, Block, BlockHeader, Ctx, Event, Expiry, Genesis, Hash, MemState, Operation,
    SignedTransaction, Transaction, execute_block,
};

use super::names::Names;
use super::rows::{At, EventRow, Value, rows_of};
use super::*;
use crate::audit::{RawBlock, verify_chain_with};

const CHAIN: &str = "yui-export-test";
/// 2026-01-01T00:00:00Z.
const JAN: u64 = 1_767_225_600_000;
/// 2026-02-01T00:00:00Z.
const FEB: u64 = 1_769_904_000_000;
const HOUR: u64 = 3_600_000;

fn addr(name: &str) -> Address {
    Town::test_key(name).address()
}

fn at() -> At {
    At {
        height: 7,
        time_ms: JAN,
        tx_index: Some(2),
        event_index: 1,
    }
}

#[test]
fn a_payment_gives_one_row_per_asset_from_payer_to_merchant() {
    let e = Event::Paid {
        merchant: addr("sakura-bakery"),
        payer: addr("hana"),
        invoice_id: "inv-9".into(),
        parts: vec![("point".into(), 120), ("coin".into(), 880)],
    };
    let rows = rows_of(at(), &e, &mut Names::plain());
    let base = EventRow {
        height: 7,
        time_ms: JAN,
        tx_index: Some(2),
        event_index: 1,
        kind: "paid",
        from: Some(addr("hana").to_hex()),
        to: Some(addr("sakura-bakery").to_hex()),
        reference: Some("inv-9".into()),
        ..EventRow::default()
    };
    assert_eq!(
        rows,
        vec![
            EventRow {
                part: 0,
                asset: Some("point".into()),
                amount: Some(120),
                ..base.clone()
            },
            EventRow {
                part: 1,
                asset: Some("coin".into()),
                amount: Some(880),
                ..base
            },
        ]
    );
}

#[test]
fn value_events_name_where_value_went() {
    let mut n = Names::plain();
    let one = |e: Event, n: &mut Names| {
        let mut r = rows_of(at(), &e, n);
        assert_eq!(r.len(), 1, "{e:?}");
        r.remove(0)
    };
    let r = one(
        Event::Redeemed {
            merchant: addr("aeon-mall"),
            asset: "coin".into(),
            amount: 10_000,
            fee: 150,
            fee_account: addr("city"),
            payout_ref: "bank-1".into(),
        },
        &mut n,
    );
    assert_eq!(
        (r.kind, r.from, r.to, r.amount, r.fee, r.reference),
        (
            "redeemed",
            Some(addr("aeon-mall").to_hex()),
            Some(addr("city").to_hex()),
            Some(10_000),
            Some(150),
            Some("bank-1".into())
        )
    );
    let r = one(
        Event::Minted {
            asset: "point".into(),
            to: addr("hana"),
            amount: 300,
            source: MintSource::Grant {
                reason: "park clean-up".into(),
            },
            expires_at: Some(FEB),
        },
        &mut n,
    );
    assert_eq!(
        (r.from, r.source, r.detail, r.expires_at_ms),
        (None, Some("grant"), Some("park clean-up".into()), Some(FEB))
    );
    let r = one(
        Event::Minted {
            asset: "point".into(),
            to: addr("hana"),
            amount: 3,
            source: MintSource::Bonus {
                campaign: "welcome-bonus".into(),
            },
            expires_at: None,
        },
        &mut n,
    );
    assert_eq!(
        (r.source, r.reference),
        (Some("bonus"), Some("welcome-bonus".into()))
    );
    let r = one(
        Event::Expired {
            asset: "yui".into(),
            account: addr("taro"),
            amount: 40,
            breakage_account: addr("breakage"),
        },
        &mut n,
    );
    assert_eq!(
        (r.from, r.to, r.amount),
        (
            Some(addr("taro").to_hex()),
            Some(addr("breakage").to_hex()),
            Some(40)
        )
    );
    let r = one(
        Event::JobPosted {
            job_id: "job-1".into(),
            poster: addr("hana"),
            coordinator: addr("coord-kita"),
            asset: "yui".into(),
            reward: 500,
        },
        &mut n,
    );
    assert_eq!(
        (r.from, r.to, r.party, r.amount),
        (
            Some(addr("hana").to_hex()),
            None,
            Some(addr("coord-kita").to_hex()),
            Some(500)
        )
    );
}

#[test]
fn a_resolved_dispute_pays_out_of_escrow_in_two_parts() {
    let e = Event::JobResolved {
        job_id: "job-2".into(),
        poster: addr("hana"),
        worker: addr("taro"),
        coordinator: addr("coord-kita"),
        asset: "yui".into(),
        to_worker: 300,
        to_poster: 200,
    };
    let rows = rows_of(at(), &e, &mut Names::plain());
    let got: Vec<_> = rows
        .iter()
        .map(|r| (r.part, r.from.clone(), r.to.clone(), r.amount))
        .collect();
    assert_eq!(
        got,
        vec![
            (0, None, Some(addr("taro").to_hex()), Some(300)),
            (1, None, Some(addr("hana").to_hex()), Some(200)),
        ]
    );
    assert!(rows.iter().all(|r| r.reference.as_deref() == Some("job-2")));
}

#[test]
fn pseudonyms_are_keyed_stable_and_hide_addresses_references_and_free_text() {
    let e = Event::Minted {
        asset: "point".into(),
        to: addr("hana"),
        amount: 300,
        source: MintSource::Grant {
            reason: "Hana Sato's clean-up".into(),
        },
        expires_at: None,
    };
    let paid = Event::Paid {
        merchant: addr("sakura-bakery"),
        payer: addr("hana"),
        invoice_id: "inv-9".into(),
        parts: vec![("coin".into(), 5)],
    };
    let mut n = Names::pseudonymous(&[7; 32]);
    let minted = rows_of(at(), &e, &mut n).remove(0);
    let paid = rows_of(at(), &paid, &mut n).remove(0);
    let hana = minted.to.clone().unwrap();
    assert_eq!(hana.len(), 32);
    assert!(hana.chars().all(|c| c.is_ascii_hexdigit()));
    assert!(!addr("hana").to_hex().contains(&hana));
    assert_eq!(
        paid.from.as_deref(),
        Some(hana.as_str()),
        "one account, one name"
    );
    assert_ne!(paid.to.as_deref(), Some(hana.as_str()));
    assert_eq!(minted.detail, None, "free text is left out");
    assert_eq!(minted.source, Some("grant"));
    let reference = paid.reference.unwrap();
    assert_ne!(reference, "inv-9");
    assert_eq!(reference, n.reference("inv-9"));
    assert_ne!(reference, n.account(&Address::ZERO), "domains differ");
    // Another key, other names; the same key, the same names.
    let mut other = Names::pseudonymous(&[8; 32]);
    assert_ne!(other.account(&addr("hana")), hana);
    assert_eq!(Names::pseudonymous(&[7; 32]).account(&addr("hana")), hana);
    assert_eq!(n.transaction(&[1; 32]).len(), 32);
    assert_eq!(Names::plain().transaction(&[1; 32]), hex::encode([1u8; 32]));
}

/// A chain of the town's genesis, its blocks executed and certified by the
/// city alone, at chosen times.
struct Chain {
    genesis: Genesis,
    blocks: Vec<RawBlock>,
    state: MemState,
    tree: MemTree,
    prev_hash: Hash,
    nonces: BTreeMap<String, u64>,
}

impl Chain {
    fn new() -> Self {
        let (genesis, state, tree, _) = crate::audit::tests::one_validator_town(CHAIN, JAN);
        Self {
            prev_hash: genesis.hash(),
            genesis,
            blocks: Vec::new(),
            state,
            tree,
            nonces: BTreeMap::new(),
        }
    }

    fn tx(&mut self, who: &str, op: Operation) -> SignedTransaction {
        let nonce = self.nonces.entry(who.into()).or_default();
        *nonce += 1;
        Transaction {
            chain_id: CHAIN.into(),
            signer: addr(who),
            nonce: *nonce - 1,
            expiry: Expiry::Height(1_000),
            op,
        }
        .sign(&Town::test_key(who))
    }

    fn push(&mut self, time_ms: u64, txs: Vec<SignedTransaction>) {
        let height = self.blocks.len() as u64 + 1;
        let ctx = Ctx {
            chain_id: CHAIN.into(),
            height,
            time_ms,
        };
        let out = execute_block(&self.state, ctx, &txs).unwrap();
        let (root, batch) = commitment::update(&self.tree, &out.writes, height).unwrap();
        let city = Town::test_key("city");
        let set = ValidatorSet::new(vec![Validator {
            public_key: city.address().0,
            power: 1,
        }])
        .unwrap();
        let block = Block {
            header: BlockHeader {
                chain_id: CHAIN.into(),
                height,
                time_ms,
                prev_hash: self.prev_hash,
                tx_root: tx_root(&txs),
                receipts_root: receipts_root(&out.receipts, &out.begin_events),
                state_root: root,
                proposer: city.address(),
                validators_hash: set.hash(),
            },
            txs,
        };
        let hash = block.hash();
        let vote = Vote::sign(
            city.signing_key(),
            CHAIN,
            0,
            VoteKind::Precommit,
            height,
            0,
            Some(hash),
        );
        let cert = CommitCertificate::from_precommits(height, 0, hash, &[vote]);
        self.blocks.push(RawBlock {
            block: block.to_bytes(),
            certificate: borsh::to_vec(&cert).unwrap(),
        });
        self.state.apply(&out.writes);
        self.tree.apply(&batch);
        self.prev_hash = hash;
    }
}

/// January: a charge to hana; hana pays the bakery and sends taro some.
/// February: the bakery redeems (1.5% fee to the city), and taro's
/// transfer beyond his balance fails.
fn small_chain() -> Chain {
    let mut c = Chain::new();
    let charge = c.tx(
        "city",
        Operation::Charge {
            to: addr("hana"),
            asset: "coin".into(),
            amount: 10_000,
            deposit_ref: "dep-1".into(),
            campaign: None,
        },
    );
    c.push(JAN + HOUR, vec![charge]);
    let pay = c.tx(
        "hana",
        Operation::Pay {
            merchant: addr("sakura-bakery"),
            invoice_id: "inv-1".into(),
            amount: 3_000,
            assets: vec!["coin".into()],
        },
    );
    let send = c.tx(
        "hana",
        Operation::Transfer {
            to: addr("taro"),
            asset: "coin".into(),
            amount: 500,
        },
    );
    c.push(JAN + 2 * HOUR, vec![pay, send]);
    let redeem = c.tx(
        "sakura-bakery",
        Operation::Redeem {
            asset: "coin".into(),
            amount: 1_000,
            payout_ref: "payout-1".into(),
        },
    );
    let too_much = c.tx(
        "taro",
        Operation::Transfer {
            to: addr("hana"),
            asset: "coin".into(),
            amount: 10_000,
        },
    );
    c.push(FEB + HOUR, vec![redeem, too_much]);
    c
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("yui-export-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn export(c: &Chain, dir: &std::path::Path, format: Format, names: Names) -> Summary {
    export_in(c, dir, format, names, jiff::tz::TimeZone::UTC)
}

fn export_in(
    c: &Chain,
    dir: &std::path::Path,
    format: Format,
    names: Names,
    tz: jiff::tz::TimeZone,
) -> Summary {
    let exporter = Exporter::create(Options {
        format,
        dir: dir.to_path_buf(),
        period: Period::Month,
        tz,
        names,
    })
    .unwrap()
    .with_genesis(&c.genesis);
    let blocks = c.blocks.iter().cloned().map(Ok);
    let total = c.blocks.len() as u64;
    let (report, exporter) =
        verify_chain_with(&c.genesis, total, blocks, "", |_| {}, exporter).unwrap();
    exporter.finish(&report).unwrap()
}

fn read_csv(path: PathBuf) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(&path).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| {
            header
                .iter()
                .cloned()
                .zip(rec.unwrap().iter().map(String::from))
                .collect()
        })
        .collect()
}

#[test]
fn a_small_chain_exports_its_blocks_transactions_events_and_month_end_balances() {
    let c = small_chain();
    let dir = temp_dir("csv");
    let s = export(&c, &dir, Format::Csv, Names::plain());
    assert_eq!((s.blocks, s.transactions, s.final_height), (3, 5, 3));

    let blocks = read_csv(dir.join("blocks.csv"));
    let heights: Vec<&str> = blocks.iter().map(|b| b["height"].as_str()).collect();
    assert_eq!(heights, ["1", "2", "3"]);
    assert_eq!(blocks[0]["time"], "2026-01-01T01:00:00.000+00:00");
    let counts: Vec<_> = blocks
        .iter()
        .map(|b| (b["transactions"].as_str(), b["failed"].as_str()))
        .collect();
    assert_eq!(counts, [("1", "0"), ("2", "0"), ("2", "1")]);
    assert_eq!(blocks[2]["state_root"], s.final_state_root);

    let txs = read_csv(dir.join("transactions.csv"));
    let got: Vec<_> = txs
        .iter()
        .map(|t| {
            (
                t["height"].as_str(),
                t["tx_index"].as_str(),
                t["operation"].as_str(),
                t["nonce"].as_str(),
                t["result"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("1", "0", "charge", "0", "ok"),
            ("2", "0", "pay", "0", "ok"),
            ("2", "1", "transfer", "1", "ok"),
            ("3", "0", "redeem", "0", "ok"),
            ("3", "1", "transfer", "0", "insufficient"),
        ]
    );
    assert_eq!(txs[1]["signer"], addr("hana").to_hex());

    let events = read_csv(dir.join("events.csv"));
    let paid = events.iter().find(|e| e["kind"] == "paid").unwrap();
    assert_eq!(
        (
            paid["from"].as_str(),
            paid["to"].as_str(),
            paid["amount"].as_str(),
            paid["reference"].as_str()
        ),
        (
            addr("hana").to_hex().as_str(),
            addr("sakura-bakery").to_hex().as_str(),
            "3000",
            "inv-1"
        )
    );
    let redeemed = events.iter().find(|e| e["kind"] == "redeemed").unwrap();
    assert_eq!(
        (redeemed["amount"].as_str(), redeemed["fee"].as_str()),
        ("1000", "15")
    );
    assert_eq!(redeemed["tx_index"], "0");

    let balances = read_csv(dir.join("balances.csv"));
    let got: BTreeMap<(String, String), String> = balances
        .iter()
        .map(|b| {
            let who = ["hana", "taro", "sakura-bakery", "city"]
                .into_iter()
                .find(|n| addr(n).to_hex() == b["account"])
                .unwrap_or("?");
            ((b["period"].clone(), who.to_string()), b["balance"].clone())
        })
        .collect();
    let want: BTreeMap<(String, String), String> = [
        ("2026-01", "hana", "6500"),
        ("2026-01", "taro", "500"),
        ("2026-01", "sakura-bakery", "3000"),
        ("2026-02", "hana", "6500"),
        ("2026-02", "taro", "500"),
        ("2026-02", "sakura-bakery", "2000"),
        ("2026-02", "city", "15"),
    ]
    .into_iter()
    .map(|(p, w, b)| ((p.to_string(), w.to_string()), b.to_string()))
    .collect();
    assert_eq!(got, want);
    assert!(balances.iter().all(|b| b["asset"] == "coin"));
    assert_eq!(balances[0]["height"], "2");
    assert_eq!(balances.last().unwrap()["height"], "3");

    // The last period's balances are the state's holdings.
    for b in balances.iter().filter(|b| b["period"] == "2026-02") {
        let a: Address = b["account"].parse().unwrap();
        let held = yui_ledger::state::holdings_of(&c.state, &a).unwrap();
        let total = held
            .iter()
            .find(|(asset, _)| *asset == b["asset"])
            .map_or(0, |(_, h)| h.total());
        assert_eq!(total.to_string(), b["balance"]);
    }

    let accounts = read_csv(dir.join("accounts.csv"));
    let of = |who: &str| {
        accounts
            .iter()
            .find(|a| a["account"] == addr(who).to_hex())
            .unwrap()
            .clone()
    };
    let (bakery, hana, city) = (of("sakura-bakery"), of("hana"), of("city"));
    assert_eq!(
        (
            bakery["name"].as_str(),
            bakery["roles"].as_str(),
            bakery["merchant_class"].as_str()
        ),
        ("sakura-bakery", "merchant:small_local", "small_local")
    );
    assert_eq!(
        (hana["roles"].as_str(), hana["merchant_class"].as_str()),
        ("", "")
    );
    assert!(city["roles"].contains("issuer:coin") && city["roles"].contains("credential_issuer"));
    assert!(accounts.iter().all(|a| a["first_height"] == "0"));
    assert_eq!(accounts.len(), c.genesis.accounts.len());

    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join(SUMMARY_FILE)).unwrap()).unwrap();
    assert_eq!(summary["tables"]["events"]["rows"], events.len() as u64);
    assert_eq!(summary["tables"]["balances"]["rows"], 7);
    assert_eq!(summary["pseudonymous"], false);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn parquet_holds_typed_columns_and_the_same_rows_as_csv() {
    use parquet::basic::{LogicalType, Repetition, TimeUnit};
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::Field;

    let c = small_chain();
    let (pq, cs) = (temp_dir("pq"), temp_dir("pq-csv"));
    export(&c, &pq, Format::Parquet, Names::plain());
    export(&c, &cs, Format::Csv, Names::plain());
    let tz = jiff::tz::TimeZone::UTC;
    for table in TABLES {
        let file = std::fs::File::open(pq.join(format!("{}.parquet", table.name))).unwrap();
        let reader = SerializedFileReader::new(file).unwrap();
        let kv: BTreeMap<String, Option<String>> = reader
            .metadata()
            .file_metadata()
            .key_value_metadata()
            .unwrap()
            .iter()
            .map(|kv| (kv.key.clone(), kv.value.clone()))
            .collect();
        assert_eq!(kv["yui.chain_id"].as_deref(), Some(CHAIN));
        assert_eq!(kv["yui.final_height"].as_deref(), Some("3"));
        assert_eq!(kv["yui.time_zone"].as_deref(), Some("UTC"));
        let schema = reader.metadata().file_metadata().schema_descr_ptr();
        assert_eq!(schema.num_columns(), table.columns.len());
        for (i, col) in table.columns.iter().enumerate() {
            let d = schema.column(i);
            assert_eq!(d.name(), col.name);
            let logical = d.logical_type_ref().cloned();
            let want = match col.ty {
                rows::Type::Int64 => LogicalType::integer(64, true),
                rows::Type::UInt64 => LogicalType::integer(64, false),
                rows::Type::TimestampMs => LogicalType::timestamp(true, TimeUnit::MILLIS),
                rows::Type::Utf8 => LogicalType::String,
            };
            assert_eq!(logical, Some(want), "{}.{}", table.name, col.name);
            let rep = d.self_type().get_basic_info().repetition();
            assert_eq!(rep == Repetition::OPTIONAL, col.nullable);
        }
        // Every row, rendered as the CSV renders it, equals the CSV's.
        let from_parquet: Vec<Vec<String>> = reader
            .get_row_iter(None)
            .unwrap()
            .map(|row| {
                row.unwrap()
                    .get_column_iter()
                    .map(|(_, f)| {
                        let v = match f {
                            Field::Null => Value::Null,
                            Field::Long(n) => Value::Int(*n),
                            Field::ULong(n) => Value::UInt(*n),
                            Field::TimestampMillis(n) => Value::Time(*n),
                            Field::Str(s) => Value::Text(s.clone()),
                            other => panic!("unexpected {other:?}"),
                        };
                        sink::csv_cell(v, &tz)
                    })
                    .collect()
            })
            .collect();
        let mut r = csv::Reader::from_path(cs.join(format!("{}.csv", table.name))).unwrap();
        let from_csv: Vec<Vec<String>> = r
            .records()
            .map(|rec| rec.unwrap().iter().map(String::from).collect())
            .collect();
        assert!(!from_csv.is_empty(), "{}", table.name);
        assert_eq!(from_parquet, from_csv, "{}", table.name);
    }
    for d in [pq, cs] {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[test]
fn a_pseudonymous_export_names_no_address() {
    let c = small_chain();
    let dir = temp_dir("pseudo");
    let s = export(&c, &dir, Format::Csv, Names::pseudonymous(&[3; 32]));
    assert!(s.pseudonymous);
    let mut all = String::new();
    for t in ["blocks", "transactions", "events", "balances", "accounts"] {
        all.push_str(&std::fs::read_to_string(dir.join(format!("{t}.csv"))).unwrap());
    }
    for who in ["hana", "taro", "sakura-bakery", "city"] {
        assert!(!all.contains(&addr(who).to_hex()), "{who} is named");
    }
    assert!(!all.contains("inv-1") && !all.contains("payout-1"));
    let txs = read_csv(dir.join("transactions.csv"));
    assert!(txs.iter().all(|t| t["hash"].len() == 32));
    let balances = read_csv(dir.join("balances.csv"));
    assert_eq!(balances.len(), 7);
    // No names; the town's classes have fewer than k shops each: "merchant" only.
    let accounts = read_csv(dir.join("accounts.csv"));
    assert!(
        accounts
            .iter()
            .all(|a| a["name"].is_empty() && a["merchant_class"].is_empty())
    );
    let merchants = accounts.iter().filter(|a| a["roles"] == "merchant").count();
    assert_eq!(merchants, 3);
    assert!(!all.contains("sakura") && !all.contains("small_local"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_replay_that_fails_leaves_no_file() {
    let c = small_chain();
    let dir = temp_dir("failed");
    let exporter = Exporter::create(Options {
        format: Format::Parquet,
        dir: dir.clone(),
        period: Period::Month,
        tz: jiff::tz::TimeZone::UTC,
        names: Names::plain(),
    })
    .unwrap()
    .with_genesis(&c.genesis);
    // The source promises a fourth block and ends.
    let blocks = c.blocks.iter().cloned().map(Ok);
    let err = verify_chain_with(&c.genesis, 4, blocks, "", |_| {}, exporter)
        .err()
        .unwrap();
    assert!(err.to_string().contains("after block 3"), "{err}");
    let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn times_and_periods_are_in_the_towns_zone() {
    let c = small_chain();
    let dir = temp_dir("tokyo");
    let tokyo = jiff::tz::TimeZone::get("Asia/Tokyo").unwrap();
    let s = export_in(&c, &dir, Format::Csv, Names::plain(), tokyo);
    assert_eq!(s.time_zone, "Asia/Tokyo");
    let blocks = read_csv(dir.join("blocks.csv"));
    assert_eq!(blocks[0]["time"], "2026-01-01T10:00:00.000+09:00");
    let periods: Vec<String> = read_csv(dir.join("balances.csv"))
        .iter()
        .map(|b| b["period"].clone())
        .collect();
    assert!(periods.contains(&"2026-01".to_string()) && periods.contains(&"2026-02".to_string()));
    let _ = std::fs::remove_dir_all(&dir);
}
