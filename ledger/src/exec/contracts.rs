//! Contracts: code uploads, deployment and its lifecycle by governance, and
//! calls. The WebAssembly runs in `yui-wasm-contracts`; this module is its
//! host, over the transaction's overlay.
//!
//! A call runs on the overlay of its transaction, which the block discards if
//! the operation fails: a trap, an abort, running out of fuel or memory
//! leaves no write behind, and the receipt records the typed failure with the
//! fuel burned. Each value move a contract asks for (a transfer from its own
//! account, a grant from its budget) runs on a child overlay of its own, so a
//! move the ledger refuses leaves nothing half-done and the contract may
//! react to the refusal code.
//!
//! Compiled modules are cached in one process-wide runtime. The cache never
//! changes a result or a fuel count (compilation is eager and not charged),
//! so the ledger stays a pure function of state and block.

use std::sync::OnceLock;

use yui_wasm_contracts::{self as wasm, Call, CallFailure, HostError, Mode, Runtime, refusal};

use crate::asset::AssetKind;
use crate::contract::{
    Budget, CODE_CHUNK_BYTES_MAX, CONTRACT_ASSETS_MAX, CodeUpload, Contract, ContractStatus,
    GOVERNANCE_CALLER, RESERVED_METHODS, contract_account,
};
use crate::crypto::{Address, Hash, sha256};
use crate::error::{Rule, StateError, TxError};
use crate::governance::ChainParams;
use crate::receipt::{Event, MintSource};
use crate::state::{Overlay, StateRead, keys};

use super::Ctx;
use super::holding::{ensure_ledger_account, load_asset};

type Out = Result<Vec<Event>, TxError>;

fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(Runtime::new)
}

fn load<S: StateRead + ?Sized>(ov: &Overlay<'_, S>, id: &str) -> Result<Contract, TxError> {
    ov.get_rec(&keys::contract(id))?
        .ok_or_else(|| TxError::UnknownContract(id.into()))
}

fn store<S: StateRead + ?Sized>(ov: &mut Overlay<'_, S>, c: &Contract) {
    ov.put_rec(keys::contract(&c.id), c);
}

fn refuse_status(c: &Contract) -> Result<(), TxError> {
    let rule = match c.status {
        ContractStatus::Active => return Ok(()),
        ContractStatus::Paused => Rule::ContractPaused,
        ContractStatus::Removed => Rule::ContractRemoved,
    };
    Err(TxError::ContractState {
        id: c.id.clone(),
        status: c.status,
        rule,
    })
}

fn method_refusal(c: &Contract, method: &str, rule: Rule) -> TxError {
    TxError::ContractMethod {
        contract_id: c.id.clone(),
        method: method.into(),
        rule,
    }
}

/// The code stored under `hash`, validated by the engine.
fn validated_code<S: StateRead + ?Sized>(
    ov: &Overlay<'_, S>,
    hash: &Hash,
) -> Result<wasm::CodeInfo, TxError> {
    let code = crate::state::code(ov, hash)?.ok_or(TxError::UnknownCode(*hash))?;
    wasm::validate(&code).map_err(TxError::InvalidCode)
}

/// Refuses value of `asset` reaching a contract's account unless governance
/// named the asset among those the contract may hold.
pub(crate) fn refuse_unheld<S: StateRead + ?Sized>(
    ov: &Overlay<'_, S>,
    to: &Address,
    asset: &str,
) -> Result<(), TxError> {
    let Some(id) = ov.get_rec::<String>(&keys::contract_of_account(to))? else {
        return Ok(());
    };
    if load(ov, &id)?.may_hold(asset) {
        return Ok(());
    }
    Err(TxError::Policy {
        asset: asset.into(),
        rule: Rule::ContractDoesNotHold,
    })
}

/// A chunk of code from a consortium member; the last one stores the code.
pub(crate) fn upload<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    signer: &Address,
    (code_hash, total_len, index, chunk): (&Hash, u32, u32, &[u8]),
) -> Out {
    super::governance::require_member(ov, signer)?;
    let refuse = |rule| TxError::CodeUpload {
        code_hash: *code_hash,
        rule,
    };
    if ov.has(&keys::code(code_hash))? {
        return Err(refuse(Rule::CodeAlreadyUploaded));
    }
    let uk = keys::code_upload(signer, code_hash);
    let previous: Option<CodeUpload> = ov.get_rec(&uk)?;
    let mut up = if index == 0 {
        // Starting again drops whatever an earlier attempt left.
        for i in 0..previous.map_or(0, |p| p.chunks) {
            ov.delete(keys::code_chunk(signer, code_hash, i));
        }
        CodeUpload {
            total_len,
            received_len: 0,
            chunks: 0,
        }
    } else {
        let up = previous.ok_or_else(|| refuse(Rule::ChunkOutOfOrder))?;
        if up.chunks != index {
            return Err(refuse(Rule::ChunkOutOfOrder));
        }
        if up.total_len != total_len {
            return Err(refuse(Rule::UploadLengthMismatch));
        }
        up
    };
    // Shape checks bound a chunk to CODE_CHUNK_BYTES_MAX, so this fits a u32.
    let len = u32::try_from(chunk.len().min(CODE_CHUNK_BYTES_MAX)).unwrap_or(u32::MAX);
    let received = up
        .received_len
        .checked_add(len)
        .filter(|r| *r <= total_len)
        .ok_or_else(|| refuse(Rule::UploadLengthMismatch))?;
    ov.put(keys::code_chunk(signer, code_hash, index), chunk.to_vec());
    up.received_len = received;
    up.chunks = up.chunks.saturating_add(1);
    if received < total_len {
        ov.put_rec(uk, &up);
        return Ok(Vec::new());
    }
    let mut code = Vec::with_capacity(total_len as usize);
    for i in 0..up.chunks {
        let k = keys::code_chunk(signer, code_hash, i);
        code.extend(ov.get(&k)?.ok_or(StateError::Corrupt)?);
        ov.delete(k);
    }
    ov.delete(uk);
    if sha256(&code) != *code_hash {
        return Err(refuse(Rule::CodeHashMismatch));
    }
    ov.put(keys::code(code_hash), code);
    Ok(vec![Event::CodeUploaded {
        code_hash: *code_hash,
        size: total_len,
        uploader: *signer,
    }])
}

/// What a deploy proposal carries.
pub(crate) struct Deploy<'a> {
    pub contract_id: &'a str,
    pub code_hash: &'a Hash,
    pub init_args: &'a [u8],
    pub assets: &'a [String],
    pub budget: &'a [(String, u64)],
    pub proposal_id: &'a str,
}

/// A budget line: the asset exists and is not a coin (coins are bought with
/// yen, never minted by a contract).
fn budget_asset<S: StateRead + ?Sized>(ov: &Overlay<'_, S>, asset: &str) -> Result<(), TxError> {
    if load_asset(ov, asset)?.class.kind == AssetKind::Coin {
        return Err(TxError::Policy {
            asset: asset.into(),
            rule: Rule::ContractMintsCoins,
        });
    }
    Ok(())
}

pub(crate) fn deploy<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    ctx: &Ctx,
    params: &ChainParams,
    d: Deploy<'_>,
) -> Out {
    if ov.has(&keys::contract(d.contract_id))? {
        return Err(TxError::ContractExists(d.contract_id.into()));
    }
    let info = validated_code(ov, d.code_hash)?;
    for a in d.assets {
        load_asset(ov, a)?;
    }
    for (a, _) in d.budget {
        budget_asset(ov, a)?;
    }
    let mut assets = d.assets.to_vec();
    assets.sort();
    let mut budget: Vec<Budget> = d
        .budget
        .iter()
        .map(|(asset, allotted)| Budget {
            asset: asset.clone(),
            allotted: *allotted,
            granted: 0,
        })
        .collect();
    budget.sort_by(|x, y| x.asset.cmp(&y.asset));
    let account = contract_account(d.contract_id);
    ensure_ledger_account(ov, &account)?;
    ov.put_rec(
        keys::contract_of_account(&account),
        &d.contract_id.to_string(),
    );
    let mut c = Contract {
        id: d.contract_id.into(),
        code_hash: *d.code_hash,
        code_size: info.size,
        methods: info.methods,
        engine_version: info.engine_version,
        fuel_table_version: info.fuel_table_version,
        account,
        assets,
        budget,
        status: ContractStatus::Active,
        proposal_id: d.proposal_id.into(),
        deployed_height: ctx.height,
        deployed_ms: ctx.time_ms,
        upgraded_height: None,
        calls: 0,
        fuel_used: 0,
    };
    let mut events = vec![Event::ContractDeployed {
        contract_id: c.id.clone(),
        code_hash: c.code_hash,
        account,
    }];
    events.extend(c.budget.iter().map(|b| Event::ContractBudgetChanged {
        contract_id: c.id.clone(),
        asset: b.asset.clone(),
        allotted: b.allotted,
    }));
    if c.methods.iter().any(|m| m == RESERVED_METHODS[0]) {
        let inv = Invocation::governance(RESERVED_METHODS[0], d.init_args, params);
        events.extend(run(ov, ctx, &mut c, inv)?);
    }
    store(ov, &c);
    Ok(events)
}

pub(crate) fn upgrade<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    ctx: &Ctx,
    params: &ChainParams,
    (id, code_hash, migrate_args): (&str, &Hash, &[u8]),
) -> Out {
    let mut c = load(ov, id)?;
    if c.status == ContractStatus::Removed {
        refuse_status(&c)?;
    }
    let info = validated_code(ov, code_hash)?;
    c.code_hash = *code_hash;
    c.code_size = info.size;
    c.methods = info.methods;
    c.engine_version = info.engine_version;
    c.fuel_table_version = info.fuel_table_version;
    c.upgraded_height = Some(ctx.height);
    let mut events = vec![Event::ContractUpgraded {
        contract_id: c.id.clone(),
        code_hash: *code_hash,
    }];
    if c.methods.iter().any(|m| m == RESERVED_METHODS[1]) {
        let inv = Invocation::governance(RESERVED_METHODS[1], migrate_args, params);
        events.extend(run(ov, ctx, &mut c, inv)?);
    }
    store(ov, &c);
    Ok(events)
}

pub(crate) fn set_status<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    (id, status): (&str, ContractStatus),
) -> Out {
    let mut c = load(ov, id)?;
    if c.status == ContractStatus::Removed {
        refuse_status(&c)?;
    }
    if c.status == status {
        return Err(TxError::ContractState {
            id: c.id,
            status,
            rule: Rule::StatusUnchanged,
        });
    }
    c.status = status;
    store(ov, &c);
    Ok(vec![Event::ContractStatusChanged {
        contract_id: c.id,
        status,
    }])
}

pub(crate) fn set_budget<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    (id, asset, allotted): (&str, &str, u64),
) -> Out {
    let mut c = load(ov, id)?;
    if c.status == ContractStatus::Removed {
        refuse_status(&c)?;
    }
    budget_asset(ov, asset)?;
    let lines = c.budget.len();
    match c.budget.iter_mut().find(|b| b.asset == asset) {
        Some(b) if allotted < b.granted => {
            return Err(TxError::Policy {
                asset: asset.into(),
                rule: Rule::BudgetBelowGranted,
            });
        }
        Some(b) => b.allotted = allotted,
        None if lines >= CONTRACT_ASSETS_MAX => {
            return Err(TxError::Malformed(Rule::TooManyContractAssets));
        }
        None => {
            c.budget.push(Budget {
                asset: asset.into(),
                allotted,
                granted: 0,
            });
            c.budget.sort_by(|x, y| x.asset.cmp(&y.asset));
        }
    }
    store(ov, &c);
    Ok(vec![Event::ContractBudgetChanged {
        contract_id: c.id,
        asset: asset.into(),
        allotted,
    }])
}

/// A method called by governance: the caller is [`GOVERNANCE_CALLER`].
pub(crate) fn governance_call<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    ctx: &Ctx,
    params: &ChainParams,
    (id, method, args): (&str, &str, &[u8]),
) -> Out {
    let mut c = load(ov, id)?;
    if c.status == ContractStatus::Removed {
        refuse_status(&c)?;
    }
    check_method(&c, method)?;
    let events = run(
        ov,
        ctx,
        &mut c,
        Invocation::governance(method, args, params),
    )?;
    store(ov, &c);
    Ok(events)
}

fn check_method(c: &Contract, method: &str) -> Result<(), TxError> {
    if RESERVED_METHODS.contains(&method) {
        return Err(method_refusal(c, method, Rule::ReservedMethod));
    }
    if !c.methods.iter().any(|m| m == method) {
        return Err(method_refusal(c, method, Rule::UnknownMethod));
    }
    Ok(())
}

/// What a `CallContract` operation carries.
pub(crate) struct CallOp<'a> {
    pub contract_id: &'a str,
    pub method: &'a str,
    pub args: &'a [u8],
    pub fuel_limit: u64,
    pub attach: &'a [(String, u64)],
}

pub(crate) fn call<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    ctx: &Ctx,
    signer: &Address,
    op: CallOp<'_>,
) -> Out {
    let (mut c, mut events) = prepare(ov, ctx, signer, &op)?;
    let inv = Invocation {
        caller: *signer,
        method: op.method,
        args: op.args,
        fuel_limit: op.fuel_limit,
        attached: op.attach.to_vec(),
        mode: Mode::Execute,
    };
    events.extend(run(ov, ctx, &mut c, inv)?);
    store(ov, &c);
    Ok(events)
}

/// Admission of a call: every check but running the contract.
pub(crate) fn admit<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    ctx: &Ctx,
    signer: &Address,
    op: CallOp<'_>,
) -> Result<(), TxError> {
    prepare(ov, ctx, signer, &op).map(|_| ())
}

/// The checks of a call and the move of its attached value: the contract,
/// its events so far.
fn prepare<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    ctx: &Ctx,
    signer: &Address,
    op: &CallOp<'_>,
) -> Result<(Contract, Vec<Event>), TxError> {
    let params = super::governance::load_params(ov, ctx)?;
    if op.fuel_limit > params.contract_fuel_max {
        return Err(TxError::FuelAboveCap {
            limit: op.fuel_limit,
            cap: params.contract_fuel_max,
        });
    }
    let c = load(ov, op.contract_id)?;
    refuse_status(&c)?;
    check_method(&c, op.method)?;
    let mut events = Vec::new();
    for (asset, amount) in op.attach {
        if !c.may_hold(asset) {
            return Err(TxError::Policy {
                asset: asset.clone(),
                rule: Rule::ContractDoesNotHold,
            });
        }
        events.extend(super::ops::transfer(
            ov,
            ctx,
            signer,
            (&c.account, asset, *amount),
        )?);
    }
    Ok((c, events))
}

/// A read-only call for the API: no state changes, fuel bounded by the
/// chain's `contract_fuel_max`. Returns the output and the fuel burned.
pub fn query<S: StateRead + ?Sized>(
    state: &S,
    ctx: &Ctx,
    (id, method, args, fuel_limit): (&str, &str, &[u8], u64),
) -> Result<(Vec<u8>, u64), TxError> {
    let mut ov = Overlay::new(state);
    let params = super::governance::load_params(&ov, ctx)?;
    let mut c = load(&ov, id)?;
    if c.status == ContractStatus::Removed {
        refuse_status(&c)?;
    }
    check_method(&c, method)?;
    let inv = Invocation {
        caller: GOVERNANCE_CALLER,
        method,
        args,
        fuel_limit: fuel_limit.min(params.contract_fuel_max),
        attached: Vec::new(),
        mode: Mode::Query,
    };
    let (output, fuel, _) = invoke(&mut ov, ctx, &mut c, inv)?;
    Ok((output, fuel))
}

/// One run of a contract method.
struct Invocation<'a> {
    caller: Address,
    method: &'a str,
    args: &'a [u8],
    fuel_limit: u64,
    attached: Vec<(String, u64)>,
    mode: Mode,
}

impl<'a> Invocation<'a> {
    fn governance(method: &'a str, args: &'a [u8], params: &ChainParams) -> Self {
        Self {
            caller: GOVERNANCE_CALLER,
            method,
            args,
            fuel_limit: params.contract_fuel_max,
            attached: Vec::new(),
            mode: Mode::Execute,
        }
    }
}

/// Runs a method that may change state: its events, the call's summary and
/// what it emitted; updates the contract's counters.
fn run<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    ctx: &Ctx,
    c: &mut Contract,
    inv: Invocation<'_>,
) -> Out {
    let (caller, method) = (inv.caller, inv.method.to_string());
    let (_, fuel_used, mut events) = invoke(ov, ctx, c, inv)?;
    c.calls = c.calls.saturating_add(1);
    c.fuel_used = c.fuel_used.saturating_add(fuel_used);
    events.insert(
        0,
        Event::ContractCalled {
            contract_id: c.id.clone(),
            caller,
            method,
            fuel_used,
        },
    );
    Ok(events)
}

/// Runs the engine with this ledger as its host. On success: the output,
/// the fuel burned, and the events (value moves, then what the contract
/// emitted). A failure of the node's own storage is `TxError::State`, never
/// the contract's failure.
fn invoke<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    ctx: &Ctx,
    c: &mut Contract,
    inv: Invocation<'_>,
) -> Result<(Vec<u8>, u64, Vec<Event>), TxError> {
    // Code validated for another engine or fuel table must not run under
    // this one: its fuel, and so its results, would differ from the chain's.
    if (c.engine_version, c.fuel_table_version) != (wasm::ENGINE_VERSION, wasm::FUEL_TABLE_VERSION)
    {
        return Err(TxError::ContractState {
            id: c.id.clone(),
            status: c.status,
            rule: Rule::EngineVersionRetired,
        });
    }
    let code = crate::state::code(ov, &c.code_hash)?.ok_or(StateError::Corrupt)?;
    let call = Call {
        code: &code,
        code_hash: c.code_hash,
        method: inv.method,
        input: inv.args,
        fuel_limit: inv.fuel_limit,
        mode: inv.mode,
    };
    let query = inv.mode == Mode::Query;
    let mut host =
        super::contract_host::LedgerHost::new(ov, ctx, c, (inv.caller, query), &inv.attached);
    let outcome = runtime().call(&call, &mut host);
    let (moves, touched, state_error) = host.finish();
    if let Some(e) = state_error {
        return Err(TxError::State(e));
    }
    match outcome.result {
        Ok(output) => {
            let mut events = moves;
            events.extend(outcome.events.into_iter().map(|e| Event::ContractEmitted {
                contract_id: c.id.clone(),
                topic: e.topic,
                data: e.data,
                accounts: touched.clone(),
            }));
            Ok((output, outcome.fuel_used, events))
        }
        Err(CallFailure::Host(HostError::StateUnavailable)) => {
            Err(TxError::State(StateError::Unreadable))
        }
        Err(failure) => Err(TxError::ContractFailed {
            contract_id: c.id.clone(),
            failure,
            fuel_used: outcome.fuel_used,
        }),
    }
}

/// `account`'s balance of `asset` that has not expired at `now_ms`.
pub(crate) fn spendable<S: StateRead + ?Sized>(
    ov: &Overlay<'_, S>,
    account: &Address,
    asset: &str,
    now_ms: u64,
) -> Result<u64, StateError> {
    let h = super::holding::load_holding(ov, account, asset).map_err(|e| match e {
        TxError::State(s) => s,
        _ => StateError::Corrupt,
    })?;
    Ok(h.lots
        .iter()
        .filter(|l| l.expires_at.is_none_or(|t| t > now_ms))
        .fold(0u64, |a, l| a.saturating_add(l.amount)))
}

/// The number a contract receives when the ledger refuses a value move:
/// the shared codes of `yui_wasm_contracts::refusal` where one fits, else
/// 256 plus the refusal's variant index (stable: variants are appended).
pub(crate) fn refusal_code(e: &TxError) -> u32 {
    match e {
        TxError::Insufficient { .. } => refusal::INSUFFICIENT_BALANCE,
        TxError::UnknownAsset(_) => refusal::UNKNOWN_ASSET,
        TxError::Malformed(Rule::ZeroAmount) => refusal::BAD_AMOUNT,
        TxError::Policy { .. }
        | TxError::CredentialRequired { .. }
        | TxError::CapExceeded { .. }
        | TxError::Malformed(_) => refusal::NOT_PERMITTED,
        other => {
            let tag = borsh::to_vec(other).ok().and_then(|b| b.first().copied());
            256 + u32::from(tag.unwrap_or(0))
        }
    }
}

/// Mints `amount` of `asset` to `to` from the contract's budget.
pub(crate) fn grant_from_budget<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    ctx: &Ctx,
    c: &mut Contract,
    (to, asset, amount): (&Address, &str, u64),
    events: &mut Vec<Event>,
) -> Result<(), Result<u32, StateError>> {
    let Some(b) = c.budget.iter_mut().find(|b| b.asset == asset) else {
        return Err(Ok(refusal::NOT_PERMITTED));
    };
    if b.remaining() < amount {
        return Err(Ok(refusal::BUDGET_EXHAUSTED));
    }
    let mut child = Overlay::new(&*ov);
    let mut evs = Vec::new();
    let source = MintSource::Contract {
        contract_id: c.id.clone(),
    };
    match super::ops::mint(&mut child, ctx, to, asset, amount, source, &mut evs) {
        Ok(()) => {
            let writes = child.into_pending();
            ov.absorb(writes);
            b.granted = b.granted.saturating_add(amount);
            events.extend(evs);
            Ok(())
        }
        Err(TxError::State(e)) => Err(Err(e)),
        Err(e) => Err(Ok(refusal_code(&e))),
    }
}

/// Moves `amount` of `asset` from the contract's own account to `to`.
pub(crate) fn transfer_out<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    ctx: &Ctx,
    c: &Contract,
    (to, asset, amount): (&Address, &str, u64),
    events: &mut Vec<Event>,
) -> Result<(), Result<u32, StateError>> {
    let mut child = Overlay::new(&*ov);
    match super::ops::transfer(&mut child, ctx, &c.account, (to, asset, amount)) {
        Ok(evs) => {
            let writes = child.into_pending();
            ov.absorb(writes);
            events.extend(evs);
            Ok(())
        }
        Err(TxError::State(e)) => Err(Err(e)),
        Err(e) => Err(Ok(refusal_code(&e))),
    }
}
