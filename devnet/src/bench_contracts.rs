//! `yui-bench contracts`: the contract engine and the ledger's contract
//! path measured in-process, on one core, with no network: the
//! interpreter's time per million fuel, deploy-time validation by code
//! size, and contract calls per second through the ledger's block executor
//! (what one validator does to execute them), with the fuel of each call.

use std::time::Instant;

use yui_ledger::asset::{AssetClass, AssetKind, ExpiryPolicy, SpendScope};
use yui_ledger::genesis::{Genesis, GenesisAccount, GenesisValidator};
use yui_ledger::governance::GovAction;
use yui_ledger::wasm::{self, Call, Host, HostError, Mode, Runtime};
use yui_ledger::{
    Address, Ctx, Event, Expiry, Keypair, MemState, Operation, SignedTransaction, Transaction,
    execute_block,
};

const CHAIN: &str = "yui-bench";
const T0: u64 = 1_767_225_600_000;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// A host with nothing in it: the spin loop touches no host function.
struct Bare;

impl Host for Bare {
    fn caller(&self) -> [u8; 32] {
        [0; 32]
    }
    fn contract_account(&self) -> [u8; 32] {
        [1; 32]
    }
    fn contract_id(&self) -> Vec<u8> {
        b"bench".to_vec()
    }
    fn block_height(&self) -> u64 {
        1
    }
    fn block_time_ms(&self) -> u64 {
        T0
    }
    fn attached(&self) -> Vec<u8> {
        Vec::new()
    }
    fn storage_read(&mut self, _: &[u8]) -> Result<Option<Vec<u8>>, HostError> {
        Ok(None)
    }
    fn storage_write(&mut self, _: &[u8], _: &[u8]) -> Result<(), HostError> {
        Ok(())
    }
    fn storage_remove(&mut self, _: &[u8]) -> Result<(), HostError> {
        Ok(())
    }
    fn has_credential(&mut self, _: &[u8; 32], _: &[u8]) -> Result<bool, HostError> {
        Ok(false)
    }
    fn balance(&mut self, _: &[u8; 32], _: &[u8]) -> Result<u64, HostError> {
        Ok(0)
    }
    fn transfer(&mut self, _: &[u8; 32], _: &[u8], _: u64) -> Result<(), HostError> {
        Ok(())
    }
    fn grant(&mut self, _: &[u8; 32], _: &[u8], _: u64) -> Result<(), HostError> {
        Ok(())
    }
}

/// A module whose `spin` loops on arithmetic until its fuel runs out, and
/// `n` filler functions to make the code larger (for validation timing).
fn module(filler: usize) -> anyhow::Result<Vec<u8>> {
    let mut text = String::from(
        r#"(module (memory (export "memory") 1)
        (func (export "spin") (local $i i32)
            (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l)))"#,
    );
    // wasmi's strict limits want functions of 40 bytes or more on average.
    let body = "(i32.add (i32.mul (local.get 0) (i32.const 1000003)) (i32.const 7))";
    for i in 0..filler {
        text.push_str(&format!(
            "(func $f{i} (param i32) (result i32) (i32.xor {body} (i32.xor {body} (i32.xor {body} {body}))))"
        ));
    }
    text.push(')');
    Ok(wat::parse_str(&text)?)
}

/// Microseconds per million fuel of a tight loop (median of `runs`).
fn fuel_speed(runs: usize) -> anyhow::Result<f64> {
    let code = module(0)?;
    let rt = Runtime::new();
    let fuel = wasm::limits::FUEL_PER_CALL_MAX;
    let call = Call {
        code: &code,
        code_hash: wasm::code_hash(&code),
        method: "spin",
        input: &[],
        fuel_limit: fuel,
        mode: Mode::Execute,
    };
    let mut per_mfuel = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let out = rt.call(&call, &mut Bare);
        anyhow::ensure!(out.fuel_used == fuel, "the loop must run out of fuel");
        per_mfuel.push(t.elapsed().as_secs_f64() * 1e6 / (fuel as f64 / 1e6));
    }
    Ok(median(per_mfuel))
}

/// Validation time of `code` (median of `runs`), in milliseconds.
fn validation_ms(code: &[u8], runs: usize) -> anyhow::Result<f64> {
    let mut ms = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        wasm::validate(code)
            .map_err(|e| anyhow::anyhow!("{e:?}: {}", wasm::diagnose(code).unwrap_or_default()))?;
        ms.push(t.elapsed().as_secs_f64() * 1e3);
    }
    Ok(median(ms))
}

/// A chain with one member (the city), so a proposal passes at once.
struct Chain {
    state: MemState,
    city: Keypair,
    height: u64,
    nonce: u64,
}

impl Chain {
    fn new() -> anyhow::Result<Self> {
        let city = Keypair::from_seed([1; 32]);
        let point = AssetClass {
            id: "point".into(),
            kind: AssetKind::Point,
            issuers: vec![city.address()],
            transferable: true,
            spendable_at: SpendScope::Anyone,
            redeemable: false,
            redeem_fee_bps: 0,
            fee_account: city.address(),
            holding_cap: 0,
            expiry: ExpiryPolicy::None,
            breakage_account: Address([2; 32]),
            pay_priority: 0,
            required_credential: None,
        };
        let g = Genesis {
            chain_id: CHAIN.into(),
            genesis_time_ms: T0,
            validators: vec![GenesisValidator {
                name: "city".into(),
                public_key: city.address(),
                power: 1,
            }],
            accounts: vec![GenesisAccount {
                name: "city".into(),
                address: city.address(),
                roles: vec![],
                member: true,
            }],
            assets: vec![point],
            campaigns: vec![],
        };
        let mut state = MemState::default();
        let writes = g.state_writes(&state);
        state.apply(&writes);
        Ok(Self {
            state,
            city,
            height: 0,
            nonce: 0,
        })
    }

    fn sign(&mut self, op: Operation) -> SignedTransaction {
        let t = Transaction {
            chain_id: CHAIN.into(),
            signer: self.city.address(),
            nonce: self.nonce,
            expiry: Expiry::Height(u64::MAX),
            op,
        };
        self.nonce += 1;
        t.sign(&self.city)
    }

    /// Executes and commits one block; the seconds its execution took.
    fn block(&mut self, txs: &[SignedTransaction]) -> anyhow::Result<(f64, Vec<Event>)> {
        self.height += 1;
        let ctx = Ctx {
            chain_id: CHAIN.into(),
            height: self.height,
            time_ms: T0 + self.height * 1_000,
        };
        let t = Instant::now();
        let out =
            execute_block(&self.state, ctx, txs).map_err(|(i, e)| anyhow::anyhow!("{i}: {e}"))?;
        let secs = t.elapsed().as_secs_f64();
        for r in &out.receipts {
            if let Some(e) = &r.error {
                anyhow::bail!("transaction failed: {e}");
            }
        }
        self.state.apply(&out.writes);
        let events = out.receipts.into_iter().flat_map(|r| r.events).collect();
        Ok((secs, events))
    }

    /// Uploads and deploys `code` as `id` with a budget of points.
    fn deploy(&mut self, id: &str, code: &[u8], init: Vec<u8>) -> anyhow::Result<()> {
        let hash = yui_ledger::crypto::sha256(code);
        let chunks: Vec<Vec<u8>> = code
            .chunks(yui_ledger::contract::CODE_CHUNK_BYTES_MAX)
            .map(<[u8]>::to_vec)
            .collect();
        let txs: Vec<SignedTransaction> = chunks
            .into_iter()
            .enumerate()
            .map(|(i, chunk)| {
                self.sign(Operation::UploadCode {
                    code_hash: hash,
                    total_len: code.len() as u32,
                    index: i as u32,
                    chunk,
                })
            })
            .collect();
        self.block(&txs)?;
        let p = self.sign(Operation::Propose {
            proposal_id: format!("deploy-{id}"),
            action: GovAction::DeployContract {
                contract_id: id.into(),
                code_hash: hash,
                init_args: init,
                assets: vec![],
                budget: vec![("point".into(), u64::MAX / 2)],
            },
            expires_at_ms: T0 + 86_400_000,
        });
        self.block(&[p])?;
        Ok(())
    }
}

fn fuel_of(events: &[Event]) -> Vec<u64> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::ContractCalled { fuel_used, .. } => Some(*fuel_used),
            _ => None,
        })
        .collect()
}

/// Calls per second of `cleanup-day`'s `record` through the ledger's block
/// executor, blocks of `per_block` calls, with the fuel of one call.
fn ledger_calls(cleanup_day: &[u8], blocks: usize, per_block: usize) -> anyhow::Result<(f64, u64)> {
    let mut c = Chain::new()?;
    let init = borsh::to_vec(&(c.city.address().0, "point".to_string(), 100u64))?;
    c.deploy("cleanup-day", cleanup_day, init)?;
    let mut rates = Vec::new();
    let mut fuel = 0;
    for b in 0..blocks {
        let txs: Vec<SignedTransaction> = (0..per_block)
            .map(|i| {
                let attendee = yui_ledger::crypto::sha256(format!("attendee-{b}-{i}").as_bytes());
                c.sign(Operation::CallContract {
                    contract_id: "cleanup-day".into(),
                    method: "record".into(),
                    args: borsh::to_vec(&attendee).unwrap_or_default(),
                    fuel_limit: 100_000,
                    attach: vec![],
                })
            })
            .collect();
        let (secs, events) = c.block(&txs)?;
        fuel = fuel_of(&events).first().copied().unwrap_or(0);
        rates.push(per_block as f64 / secs);
    }
    Ok((median(rates), fuel))
}

pub fn run(contracts_dir: &std::path::Path, runs: usize) -> anyhow::Result<()> {
    println!("time per million fuel (a tight loop, 10 M fuel, median of {runs}):");
    println!("  {:.0} µs", fuel_speed(runs)?);
    println!("deploy-time validation by code size (median of {runs}):");
    let mut codes: Vec<(String, Vec<u8>)> = Vec::new();
    for name in ["cleanup_day", "civic_poll", "voucher_sale", "exchange"] {
        let p = contracts_dir.join(format!("{name}.wasm"));
        let code = std::fs::read(&p)
            .map_err(|e| anyhow::anyhow!("{}: {e} (run wasm-contracts/build.sh)", p.display()))?;
        codes.push((name.replace('_', "-"), code));
    }
    for filler in [500, 2_000, 8_000] {
        codes.push((format!("synthetic, {filler} functions"), module(filler)?));
    }
    for (name, code) in &codes {
        let ms = validation_ms(code, runs)?;
        println!(
            "  {name:<28} {:>7} bytes  {ms:>8.2} ms  ({:.1} µs per KiB)",
            code.len(),
            ms * 1e3 / (code.len() as f64 / 1024.0)
        );
    }
    let cleanup = &codes[0].1;
    let (rate, fuel) = ledger_calls(cleanup, runs.max(3), 1_000)?;
    println!("cleanup-day `record` through the block executor (blocks of 1,000, in memory):");
    println!("  {rate:.0} calls/s on one core, {fuel} fuel per call");
    Ok(())
}

/// A contract anyone may call with no arguments: `tick` adds one to the
/// caller's counter in storage and emits it (one read, one write, one event).
fn counter() -> anyhow::Result<Vec<u8>> {
    Ok(wat::parse_str(
        r#"(module
        (import "yui" "caller" (func $caller (param i32)))
        (import "yui" "storage_read" (func $read (param i32 i32 i32 i32) (result i32)))
        (import "yui" "storage_write" (func $write (param i32 i32 i32 i32)))
        (import "yui" "emit" (func $emit (param i32 i32 i32 i32)))
        (memory (export "memory") 1)
        (data (i32.const 64) "tick")
        (func (export "tick")
            (call $caller (i32.const 0))
            (drop (call $read (i32.const 0) (i32.const 32) (i32.const 32) (i32.const 8)))
            (i64.store (i32.const 32) (i64.add (i64.load (i32.const 32)) (i64.const 1)))
            (call $write (i32.const 0) (i32.const 32) (i32.const 32) (i32.const 8))
            (call $emit (i32.const 64) (i32.const 4) (i32.const 32) (i32.const 8))))"#,
    )?)
}

/// Deploys the counter as `counter` on a running devnet (city proposes,
/// chamber and coord-kita approve), unless it is there already.
pub async fn deploy_counter(c: &yui_cli::Client, dir: &std::path::Path) -> anyhow::Result<()> {
    let exists = c
        .contracts
        .clone()
        .get_contract(yui_proto::v1::GetContractRequest {
            contract_id: "counter".into(),
        })
        .await
        .is_ok();
    if exists {
        return Ok(());
    }
    let key = |n: &str| yui_cli::keyfile::read(&dir.join(format!("keys/{n}.json")));
    let city = key("city")?;
    let hash = yui_cli::contracts::upload(c, &city, &counter()?, |_, _| {}).await?;
    let action = GovAction::DeployContract {
        contract_id: "counter".into(),
        code_hash: hash,
        init_args: vec![],
        assets: vec![],
        budget: vec![],
    };
    let id = "deploy-bench-counter".to_string();
    c.execute(
        &city,
        Operation::Propose {
            proposal_id: id.clone(),
            action,
            expires_at_ms: yui_cli::now_ms() + 3_600_000,
        },
    )
    .await?;
    for v in ["chamber", "coord-kita"] {
        let vote = Operation::Vote {
            proposal_id: id.clone(),
            approve: true,
        };
        c.execute(&key(v)?, vote).await?;
    }
    Ok(())
}
