//! How the town's money moved, per period and asset, from the events a
//! replay re-executed: issuance by source, spending at merchants by class,
//! person-to-person transfers, refunds, redemptions and their fees,
//! breakage, the float, velocity, utilisation, local share, merchant
//! re-spend, reach, and jobs. Pure: events and block times in, figures out.
//!
//! Privacy (docs/metrics.md): every figure carries the accounts it
//! describes; a figure describing fewer than `k` accounts on either side
//! (payers, merchants) is withheld, and a class total in which one merchant
//! holds more than [`DOMINANCE_PCT`] % is withheld too, so no shop's
//! turnover can be read off it. Residents are never named.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use yui_ledger::asset::AssetKind;
use yui_ledger::receipt::MintSource;
use yui_ledger::{Address, Event, MerchantClass, Role};

use super::extra::{Extra, Group};

/// A class total in which one merchant holds more than this share is withheld.
pub const DOMINANCE_PCT: u64 = 80;
/// The default smallest number of accounts a published figure may describe.
pub const K_DEFAULT: usize = 10;

/// The length of a reporting period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Period {
    Day,
    Week,
    Month,
}

impl Period {
    /// The period a block time falls in, as a label in the town's time zone
    /// ("2025-04-01", "2025-W14", "2025-04").
    pub fn label(&self, time_ms: u64, tz: &jiff::tz::TimeZone) -> String {
        let ts = jiff::Timestamp::from_millisecond(time_ms as i64).unwrap_or_default();
        let date = ts.to_zoned(tz.clone()).date();
        match self {
            Period::Day => date.to_string(),
            Period::Week => {
                let w = date.iso_week_date();
                format!("{}-W{:02}", w.year(), w.week())
            }
            Period::Month => format!("{}-{:02}", date.year(), date.month()),
        }
    }
}

/// Sets and maps of accounts that are only counted, summed or searched
/// for their largest value, never listed: what they hold, not their
/// order, makes the figures, so a hash set does (a search of a sorted
/// tree cost each node several percent of its CPU at 5,000 payments/s,
/// docs/bench/journal/3-2026-12-05-afternoon-to-late.md, "A state cache"). Seeded per process, so nobody can
/// choose addresses that collide.
pub type Accounts = HashSet<Address, foldhash::fast::RandomState>;
pub type PerAccount<V> = HashMap<Address, V, foldhash::fast::RandomState>;

/// An amount with the accounts behind it.
#[derive(Debug, Default, Clone)]
pub struct Cell {
    pub amount: u64,
    /// Who paid, sent or received it (residents' side).
    pub accounts: Accounts,
    /// The merchants it went to, with each one's part.
    pub merchants: PerAccount<u64>,
}

impl Cell {
    pub(crate) fn add(&mut self, amount: u64, account: Address) {
        self.amount = self.amount.saturating_add(amount);
        self.accounts.insert(account);
    }

    pub(crate) fn add_at(&mut self, amount: u64, account: Address, merchant: Address) {
        self.add(amount, account);
        let m = self.merchants.entry(merchant).or_default();
        *m = m.saturating_add(amount);
    }

    /// Why the cell may not be published, if it may not.
    pub fn withheld(&self, k: usize) -> Option<&'static str> {
        if self.amount == 0 {
            return None;
        }
        if self.accounts.len() < k {
            return Some("fewer than k accounts");
        }
        if !self.merchants.is_empty() {
            if self.merchants.len() < k {
                return Some("fewer than k merchants");
            }
            let top = self.merchants.values().max().copied().unwrap_or(0);
            if u128::from(top) * 100 > u128::from(self.amount) * u128::from(DOMINANCE_PCT) {
                return Some("one merchant dominates");
            }
        }
        None
    }
}

/// One asset in one period.
#[derive(Debug, Default, Clone)]
pub struct AssetPeriod {
    pub issued_charge: Cell,
    pub issued_bonus: Cell,
    pub issued_grant: Cell,
    pub issued_contract: Cell,
    /// Paid at merchants by residents (payers that are not merchants), by class.
    pub spent: BTreeMap<MerchantClass, Cell>,
    /// Paid by merchants to other merchants or accounts (re-spend).
    pub merchant_spend: Cell,
    /// Received by merchants from anyone.
    pub merchant_received: Cell,
    pub p2p: Cell,
    pub refunds: Cell,
    pub redeemed: Cell,
    pub redeem_fees: u64,
    pub burned: Cell,
    pub breakage: Cell,
    /// Outstanding value at the period's start and end (held by anyone but
    /// the breakage account).
    pub float_start: u64,
    pub float_end: u64,
    /// Accounts holding some at the period's end.
    pub holders_end: u64,
}

impl AssetPeriod {
    pub fn issued(&self) -> u64 {
        [
            &self.issued_charge,
            &self.issued_bonus,
            &self.issued_grant,
            &self.issued_contract,
        ]
        .iter()
        .map(|c| c.amount)
        .sum()
    }

    /// Spending at merchants by residents, every class.
    pub fn spent_total(&self) -> Cell {
        let mut all = Cell::default();
        for c in self.spent.values() {
            all.amount = all.amount.saturating_add(c.amount);
            all.accounts.extend(c.accounts.iter().copied());
            for (m, v) in &c.merchants {
                *all.merchants.entry(*m).or_default() += v;
            }
        }
        all
    }
}

/// Jobs in one period.
#[derive(Debug, Default, Clone)]
pub struct JobsPeriod {
    pub posted: Cell,
    pub completed: Cell,
    pub disputed: Cell,
    pub timed_out: Cell,
    pub cancelled: Cell,
    /// Milliseconds from posting to payment, of the jobs completed in the period.
    pub completion_ms: Vec<u64>,
}

/// The flows of a chain, as a replay feeds them.
pub struct Flows {
    period: Period,
    tz: jiff::tz::TimeZone,
    class_of: BTreeMap<Address, MerchantClass>,
    pub assets: BTreeMap<(String, String), AssetPeriod>,
    pub jobs: BTreeMap<String, JobsPeriod>,
    /// Accounts that paid or sent value, per period.
    pub active: BTreeMap<String, Accounts>,
    /// Each account's balance of each asset (signed: a block's events may
    /// credit a job's escrow after the part of it that expired), the float
    /// (held by accounts but the breakage account; not the escrow of open
    /// jobs) and how many accounts hold some.
    /// Each asset's balances by account.
    pub(crate) balances: BTreeMap<String, PerAccount<i128>>,
    pub(crate) float: BTreeMap<String, (u64, u64)>,
    posted_at: BTreeMap<String, u64>,
    pub(crate) breakage_accounts: BTreeSet<Address>,
    /// Accounts with a role other than merchant: issuers, fee accounts
    /// (the operator), coordinators, other consortium members.
    pub(crate) institutions: BTreeMap<Address, Group>,
    /// Each asset's kind (coins and vouchers are prepaid; points are free).
    pub(crate) kinds: BTreeMap<String, AssetKind>,
    /// Flows between groups, holding time, Gini, campaigns, the Payment
    /// Services Act's base dates, cycles and re-spend chains.
    pub(crate) extra: Extra,
}

impl Flows {
    /// `class_of` names each merchant's class; `breakage` the accounts
    /// expired value goes to (not part of the float).
    pub fn new(
        period: Period,
        tz: jiff::tz::TimeZone,
        class_of: BTreeMap<Address, MerchantClass>,
        breakage: BTreeSet<Address>,
    ) -> Self {
        Self {
            period,
            tz,
            class_of,
            assets: BTreeMap::new(),
            jobs: BTreeMap::new(),
            active: BTreeMap::new(),
            balances: BTreeMap::new(),
            float: BTreeMap::new(),
            posted_at: BTreeMap::new(),
            breakage_accounts: breakage,
            institutions: BTreeMap::new(),
            kinds: BTreeMap::new(),
            extra: Extra::default(),
        }
    }

    /// An institution's group (issuer, operator, coordinator, member): not
    /// a resident, and not protected as one.
    pub fn set_institution(&mut self, account: Address, group: Group) {
        self.institutions.insert(account, group);
    }

    /// An asset's kind (prepaid coins and vouchers are in the Payment
    /// Services Act's half-deposit test).
    pub fn set_kind(&mut self, asset: &str, kind: AssetKind) {
        self.kinds.insert(asset.to_string(), kind);
    }

    /// The group an account belongs to in the flows between groups.
    pub fn group(&self, a: &Address) -> Group {
        if self.breakage_accounts.contains(a) {
            Group::Breakage
        } else if let Some(c) = self.class_of.get(a) {
            Group::Merchant(*c)
        } else {
            self.institutions.get(a).copied().unwrap_or(Group::Resident)
        }
    }

    /// Flows for a chain: its merchants' classes and breakage accounts from
    /// the genesis (merchants added later are looked up as they are paid).
    pub fn from_genesis(g: &yui_ledger::Genesis, period: Period, tz: jiff::tz::TimeZone) -> Self {
        let class_of = g
            .accounts
            .iter()
            .filter_map(|a| {
                a.roles.iter().find_map(|r| match r {
                    yui_ledger::Role::Merchant(c) => Some((a.address, *c)),
                    _ => None,
                })
            })
            .collect();
        let breakage = g.assets.iter().map(|a| a.breakage_account).collect();
        let mut f = Self::new(period, tz, class_of, breakage);
        for a in &g.assets {
            f.set_kind(&a.id, a.kind);
            f.institutions.insert(a.fee_account, Group::Operator);
        }
        for a in &g.accounts {
            for r in &a.roles {
                f.role_granted(a.address, r);
            }
            if a.member && a.roles.is_empty() {
                f.institutions
                    .entry(a.address)
                    .or_insert(Group::Institution);
            }
        }
        for a in &g.assets {
            for i in &a.issuers {
                f.institutions.insert(*i, Group::Issuer);
            }
        }
        f
    }

    /// A role (from the genesis or granted by governance) places its
    /// account in a group; an issuer outranks the others.
    fn role_granted(&mut self, account: Address, role: &Role) {
        let g = match role {
            Role::Merchant(c) => {
                self.class_of.insert(account, *c);
                return;
            }
            Role::Issuer(_) => Group::Issuer,
            Role::Coordinator => Group::Coordinator,
            Role::CredentialIssuer => Group::Institution,
        };
        let e = self.institutions.entry(account).or_insert(g);
        if g == Group::Issuer {
            *e = g;
        }
    }

    /// A merchant that appeared after the flows began (a role granted by governance).
    pub fn set_class(&mut self, merchant: Address, class: MerchantClass) {
        self.class_of.insert(merchant, class);
    }

    fn cell<'a>(
        assets: &'a mut BTreeMap<(String, String), AssetPeriod>,
        float: &BTreeMap<String, (u64, u64)>,
        label: &str,
        asset: &str,
    ) -> &'a mut AssetPeriod {
        named2(assets, label, asset, || {
            let (f, holders) = float.get(asset).copied().unwrap_or((0, 0));
            AssetPeriod {
                float_start: f,
                float_end: f,
                holders_end: holders,
                ..Default::default()
            }
        })
    }

    /// A job closed without payment (expired or cancelled): its escrow of
    /// `refunded` goes back to `poster` and it is no longer open. Returns
    /// the period's job tallies, for the caller to count the outcome.
    fn job_refunded(
        &mut self,
        label: &str,
        asset: &str,
        job_id: &str,
        poster: Address,
        refunded: u64,
    ) -> &mut JobsPeriod {
        self.moved(label, asset, None, Some(poster), refunded);
        self.posted_at.remove(job_id);
        self.jobs.entry(label.into()).or_default()
    }

    /// Moves `amount` of `asset` from `from` (None: minted) to `to` (None:
    /// burned), keeping the float and the count of holders.
    fn moved(
        &mut self,
        label: &str,
        asset: &str,
        from: Option<Address>,
        to: Option<Address>,
        amount: u64,
    ) {
        Self::cell(&mut self.assets, &self.float, label, asset);
        let (mut f, mut holders) = self.float.get(asset).copied().unwrap_or((0, 0));
        for (who, sign) in [(from, false), (to, true)] {
            let Some(a) = who else { continue };
            let b = named(&mut self.balances, asset).entry(a).or_default();
            let before = *b;
            *b = if sign {
                b.saturating_add(i128::from(amount))
            } else {
                b.saturating_sub(i128::from(amount))
            };
            if self.breakage_accounts.contains(&a) {
                continue;
            }
            if !sign {
                self.extra.left_holdings(label, asset, a, amount);
            }
            f = if sign {
                f.saturating_add(amount)
            } else {
                f.saturating_sub(amount)
            };
            match (before > 0, *b > 0) {
                (false, true) => holders += 1,
                (true, false) => holders = holders.saturating_sub(1),
                _ => {}
            }
        }
        *named(&mut self.float, asset) = (f, holders);
        let p = Self::cell(&mut self.assets, &self.float, label, asset);
        p.float_end = f;
        p.holders_end = holders;
    }

    /// A replayed block: its block-start events and receipts' events. A
    /// merchant not met before (a role granted by governance) is looked up
    /// in the state after the block.
    pub fn observe_block(
        &mut self,
        time_ms: u64,
        out: &yui_ledger::exec::BlockOutcome,
        state: &yui_ledger::MemState,
    ) {
        self.observe_committed(time_ms, &out.begin_events, &out.receipts, state);
    }

    /// A committed block: its block-start events, then its receipts'
    /// events, in order. An asset defined in it and a merchant not met
    /// before are looked up in `state` (the state after the block, or any
    /// later one: an asset's kind and a merchant's class do not change).
    pub fn observe_committed<S: yui_ledger::StateRead + ?Sized>(
        &mut self,
        time_ms: u64,
        begin_events: &[Event],
        receipts: &[yui_ledger::Receipt],
        state: &S,
    ) {
        let events: Vec<&Event> = begin_events
            .iter()
            .chain(receipts.iter().flat_map(|r| &r.events))
            .collect();
        for e in &events {
            if let Event::AssetDefined { asset } = e
                && let Ok(Some(a)) = yui_ledger::state::read::<yui_ledger::state::AssetState, _>(
                    state,
                    &yui_ledger::state::keys::asset(asset),
                )
            {
                self.set_kind(asset, a.class.kind);
            }
            if let Event::Paid { merchant, .. } | Event::Refunded { merchant, .. } = e
                && !self.class_of.contains_key(merchant)
                && let Ok(Some(acct)) = yui_ledger::state::read::<yui_ledger::state::Account, _>(
                    state,
                    &yui_ledger::state::keys::account(merchant),
                )
                && let Some(c) = acct.merchant_class()
            {
                self.class_of.insert(*merchant, c);
            }
        }
        let label = self.block_start(time_ms);
        for e in events {
            self.one(&label, time_ms, e);
        }
    }

    /// The events of one block, at its time.
    pub fn observe(&mut self, time_ms: u64, events: &[Event]) {
        let label = self.block_start(time_ms);
        for e in events {
            self.one(&label, time_ms, e);
        }
    }

    /// A block at `time_ms` begins: the time since the last one is
    /// counted (holding time), and a period or base date that ended is
    /// closed. Returns the block's period.
    fn block_start(&mut self, time_ms: u64) -> String {
        let label = self.period.label(time_ms, &self.tz);
        let mut extra = std::mem::take(&mut self.extra);
        extra.block_start(self, &label, time_ms);
        self.extra = extra;
        label
    }

    pub fn period(&self) -> Period {
        self.period
    }

    pub fn tz(&self) -> &jiff::tz::TimeZone {
        &self.tz
    }

    fn one(&mut self, label: &str, time_ms: u64, e: &Event) {
        let mut extra = std::mem::take(&mut self.extra);
        extra.event(self, label, time_ms, e);
        self.extra = extra;
        self.tally(label, time_ms, e);
    }

    fn tally(&mut self, label: &str, time_ms: u64, e: &Event) {
        let is_merchant = |a: &Address| self.class_of.contains_key(a);
        match e {
            Event::Minted {
                asset,
                to,
                amount,
                source,
                ..
            } => {
                let p = Self::cell(&mut self.assets, &self.float, label, asset);
                let c = match source {
                    MintSource::Charge => &mut p.issued_charge,
                    MintSource::Bonus { .. } => &mut p.issued_bonus,
                    MintSource::Grant { .. } => &mut p.issued_grant,
                    MintSource::Contract { .. } => &mut p.issued_contract,
                };
                c.add(*amount, *to);
                self.moved(label, asset, None, Some(*to), *amount);
            }
            Event::Transferred {
                asset,
                from,
                to,
                amount,
            } => {
                let (fm, tm) = (is_merchant(from), is_merchant(to));
                let p = Self::cell(&mut self.assets, &self.float, label, asset);
                if fm {
                    p.merchant_spend.add(*amount, *from);
                } else if !tm {
                    p.p2p.add(*amount, *from);
                }
                named(&mut self.active, label).insert(*from);
                self.moved(label, asset, Some(*from), Some(*to), *amount);
            }
            Event::Paid {
                merchant,
                payer,
                parts,
                ..
            } => {
                let payer_is_merchant = is_merchant(payer);
                let class = self.class_of.get(merchant).copied();
                for (asset, n) in parts {
                    let p = Self::cell(&mut self.assets, &self.float, label, asset);
                    p.merchant_received.add_at(*n, *payer, *merchant);
                    if payer_is_merchant {
                        p.merchant_spend.add(*n, *payer);
                    } else if let Some(c) = class {
                        p.spent.entry(c).or_default().add_at(*n, *payer, *merchant);
                    }
                    self.moved(label, asset, Some(*payer), Some(*merchant), *n);
                }
                named(&mut self.active, label).insert(*payer);
            }
            Event::Refunded {
                merchant,
                payer,
                parts,
                ..
            } => {
                for (asset, n) in parts {
                    let p = Self::cell(&mut self.assets, &self.float, label, asset);
                    p.refunds.add_at(*n, *payer, *merchant);
                    self.moved(label, asset, Some(*merchant), Some(*payer), *n);
                }
            }
            Event::Redeemed {
                merchant,
                asset,
                amount,
                fee,
                fee_account,
                ..
            } => {
                let p = Self::cell(&mut self.assets, &self.float, label, asset);
                p.redeemed.add(*amount, *merchant);
                p.redeem_fees = p.redeem_fees.saturating_add(*fee);
                self.moved(label, asset, Some(*merchant), None, *amount);
                self.moved(label, asset, None, Some(*fee_account), *fee);
            }
            Event::Burned {
                asset,
                from,
                amount,
            } => {
                Self::cell(&mut self.assets, &self.float, label, asset)
                    .burned
                    .add(*amount, *from);
                self.moved(label, asset, Some(*from), None, *amount);
            }
            Event::Expired {
                asset,
                account,
                amount,
                breakage_account,
            } => {
                self.breakage_accounts.insert(*breakage_account);
                Self::cell(&mut self.assets, &self.float, label, asset)
                    .breakage
                    .add(*amount, *account);
                self.moved(
                    label,
                    asset,
                    Some(*account),
                    Some(*breakage_account),
                    *amount,
                );
            }
            Event::JobPosted {
                job_id,
                poster,
                asset,
                reward,
                ..
            } => {
                self.moved(label, asset, Some(*poster), None, *reward);
                self.posted_at.insert(job_id.clone(), time_ms);
                self.jobs
                    .entry(label.into())
                    .or_default()
                    .posted
                    .add(1, *poster);
            }
            Event::JobPaid {
                job_id,
                worker,
                asset,
                amount,
                ..
            }
            | Event::JobAutoReleased {
                job_id,
                worker,
                asset,
                amount,
                ..
            } => {
                self.moved(label, asset, None, Some(*worker), *amount);
                let j = self.jobs.entry(label.into()).or_default();
                j.completed.add(1, *worker);
                if let Some(at) = self.posted_at.remove(job_id) {
                    j.completion_ms.push(time_ms.saturating_sub(at));
                }
            }
            Event::JobDisputed { by, .. } => {
                self.jobs
                    .entry(label.into())
                    .or_default()
                    .disputed
                    .add(1, *by);
            }
            Event::JobResolved {
                asset,
                worker,
                poster,
                to_worker,
                to_poster,
                ..
            } => {
                self.moved(label, asset, None, Some(*worker), *to_worker);
                self.moved(label, asset, None, Some(*poster), *to_poster);
            }
            Event::JobExpired {
                job_id,
                poster,
                asset,
                refunded,
            } => self
                .job_refunded(label, asset, job_id, *poster, *refunded)
                .timed_out
                .add(1, *poster),
            Event::JobCancelled {
                job_id,
                by,
                poster,
                asset,
                refunded,
                ..
            } => self
                .job_refunded(label, asset, job_id, *poster, *refunded)
                .cancelled
                .add(1, *by),
            Event::RoleGranted { account, role } => self.role_granted(*account, role),
            _ => {}
        }
    }
}

/// One published figure: a value, or the reason it is withheld.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Figure {
    pub period: String,
    /// The asset, or "jobs" / "accounts".
    pub subject: String,
    pub metric: String,
    /// Integer amounts and counts; ratios in thousandths (‰) so that the
    /// figures stay integers.
    pub value: Option<u64>,
    pub withheld: Option<String>,
}

pub(crate) use super::figures::ratio_permille;
pub use super::figures::{COMPLEMENT, complement};

#[cfg(test)]
#[path = "flows_tests.rs"]
mod tests;

/// A (period, asset) key, looked up by borrowed names: the names are
/// copied only for a new key, where `entry` would copy them on every event.
trait Names {
    fn names(&self) -> (&str, &str);
}

impl Names for (String, String) {
    fn names(&self) -> (&str, &str) {
        (&self.0, &self.1)
    }
}

impl Names for (&str, &str) {
    fn names(&self) -> (&str, &str) {
        (self.0, self.1)
    }
}

// The owned key orders as its names do (tuples compare element by
// element, `String` as its `str`), as `Borrow` requires.
impl<'a> std::borrow::Borrow<dyn Names + 'a> for (String, String) {
    fn borrow(&self) -> &(dyn Names + 'a) {
        self
    }
}

impl PartialEq for dyn Names + '_ {
    fn eq(&self, other: &Self) -> bool {
        self.names() == other.names()
    }
}

impl Eq for dyn Names + '_ {}

impl PartialOrd for dyn Names + '_ {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for dyn Names + '_ {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.names().cmp(&other.names())
    }
}

/// The entry of `name` (an asset, a period) in `m`, made if new: the name
/// is copied only then, where `entry` would copy it on every event.
pub(crate) fn named<'m, V: Default>(m: &'m mut BTreeMap<String, V>, name: &str) -> &'m mut V {
    if !m.contains_key(name) {
        m.insert(name.to_string(), V::default());
    }
    m.get_mut(name).expect("inserted above if missing")
}

/// The entry of (`a`, `b`) (a period and an asset) in `m`, made by `new`
/// if missing; the names are copied only then.
pub(crate) fn named2<'m, V>(
    m: &'m mut BTreeMap<(String, String), V>,
    a: &str,
    b: &str,
    new: impl FnOnce() -> V,
) -> &'m mut V {
    let key: &dyn Names = &(a, b);
    if !m.contains_key(key) {
        m.insert((a.to_string(), b.to_string()), new());
    }
    m.get_mut(key).expect("inserted above if missing")
}
