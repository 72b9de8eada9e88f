//! How value circulates: the share of a period's payments that went round
//! in cycles, and the re-spend chains behind it.
//!
//! The payment graph of a period and asset has the accounts as nodes and,
//! from payer to payee, the value paid at merchants, sent person to person
//! or paid for a job (poster to worker). A cycle is a strongly connected
//! component of two or more accounts (Tarjan's algorithm, petgraph): value
//! on an edge inside one could come back to its sender within the period.
//!
//! Chains follow value from its issue: each holding keeps its value by the
//! number of hops it made since it was minted (0 to [`MAX_HOP`] or more),
//! a payment draws from the payer's hops in proportion and hands the value
//! on one hop further. A resident's first payment at a shop is hop 1; the
//! shop paying a supplier with it, hop 2; and so on. Refunds, escrow and
//! its return keep the hop; value redeemed, burned or expired leaves.
//!
//! Privacy: a component of fewer than `k` accounts counts in the share
//! but is never described by itself: every figure about cycles sums the
//! senders of all components and is withheld when they are fewer than `k`
//! or one of them sent more than 80 % of it.

use std::collections::BTreeMap;

use petgraph::graph::{DiGraph, NodeIndex};
use yui_ledger::{Address, Event};

use super::extra::Group;
use super::flows::{COMPLEMENT, Figure, PerAccount, complement, named, named2, ratio_permille};
use super::matrix::side_withheld;

/// Hops are counted up to this; more count as this many.
pub const MAX_HOP: usize = 5;
const GENS: usize = MAX_HOP + 1;

/// Value by hops since issue.
type Gens = [u64; GENS];

/// Value from one account to another, hashed: an event adds to an edge
/// without searching a sorted tree of 64-byte keys.
pub(crate) type Edges =
    std::collections::HashMap<(Address, Address), u64, foldhash::fast::RandomState>;

#[derive(Debug, Default)]
pub(crate) struct Cycles {
    /// Per (period, asset): value from one account to another (in no
    /// order: sorted when the figures are made).
    pub edges: BTreeMap<(String, String), Edges>,
    /// Per (period, asset): value paid or sent at hop 1 ..= MAX_HOP (index
    /// hop − 1), by sender.
    pub hops: BTreeMap<(String, String), Vec<PerAccount<u64>>>,
    /// Each asset's holdings by account, by hops.
    holdings: BTreeMap<String, PerAccount<Gens>>,
    jobs: BTreeMap<String, (String, Gens)>,
}

/// `amount` drawn from `b` in proportion to its hops (the remainder from
/// the most-travelled first); what `b` does not hold is counted as newly
/// issued.
fn take(b: &mut Gens, amount: u64) -> Gens {
    let total: u128 = b.iter().map(|x| u128::from(*x)).sum();
    let mut out = [0u64; GENS];
    let covered = u128::from(amount).min(total);
    if covered > 0 {
        for (o, x) in out.iter_mut().zip(b.iter()) {
            *o = (u128::from(*x) * covered / total) as u64;
        }
        let mut rest = covered as u64 - out.iter().sum::<u64>();
        for g in (0..GENS).rev() {
            let t = (b[g] - out[g]).min(rest);
            out[g] += t;
            rest -= t;
        }
        for (x, o) in b.iter_mut().zip(out.iter()) {
            *x -= o;
        }
    }
    out[0] += amount - covered as u64;
    out
}

fn credit(b: &mut Gens, add: &Gens, hop: bool) {
    for (g, v) in add.iter().enumerate() {
        let to = if hop { (g + 1).min(MAX_HOP) } else { g };
        b[to] = b[to].saturating_add(*v);
    }
}

impl Cycles {
    fn holding(&mut self, asset: &str, who: Address) -> &mut Gens {
        named(&mut self.holdings, asset).entry(who).or_default()
    }

    fn take_from(&mut self, asset: &str, who: Address, amount: u64) -> Gens {
        take(self.holding(asset, who), amount)
    }

    /// A payment of `value` (by hops) from `from` to `to`: an edge, a hop further.
    fn pay(&mut self, period: &str, asset: &str, from: Address, to: Address, value: &Gens) {
        let amount: u64 = value.iter().sum();
        if amount == 0 {
            return;
        }
        let e = named2(&mut self.edges, period, asset, Edges::default)
            .entry((from, to))
            .or_default();
        *e = e.saturating_add(amount);
        let hops = named2(&mut self.hops, period, asset, || {
            vec![PerAccount::default(); MAX_HOP]
        });
        for (g, v) in value.iter().enumerate() {
            if *v > 0 {
                let s = hops[g.min(MAX_HOP - 1)].entry(from).or_default();
                *s = s.saturating_add(*v);
            }
        }
        credit(self.holding(asset, to), value, true);
    }

    fn give(&mut self, asset: &str, to: Address, value: &Gens) {
        credit(self.holding(asset, to), value, false);
    }

    pub fn event(&mut self, period: &str, e: &Event) {
        match e {
            Event::Minted {
                asset, to, amount, ..
            } => {
                let h = self.holding(asset, *to);
                h[0] = h[0].saturating_add(*amount);
            }
            Event::Transferred {
                asset,
                from,
                to,
                amount,
            } => {
                let v = self.take_from(asset, *from, *amount);
                self.pay(period, asset, *from, *to, &v);
            }
            Event::Paid {
                merchant,
                payer,
                parts,
                ..
            } => {
                for (asset, n) in parts {
                    let v = self.take_from(asset, *payer, *n);
                    self.pay(period, asset, *payer, *merchant, &v);
                }
            }
            Event::Refunded {
                merchant,
                payer,
                parts,
                ..
            } => {
                for (asset, n) in parts {
                    let v = self.take_from(asset, *merchant, *n);
                    self.give(asset, *payer, &v);
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
                self.take_from(asset, *merchant, *amount);
                let h = self.holding(asset, *fee_account);
                h[0] = h[0].saturating_add(*fee);
            }
            Event::Burned {
                asset,
                from,
                amount,
            } => {
                self.take_from(asset, *from, *amount);
            }
            Event::Expired {
                asset,
                account,
                amount,
                ..
            } => {
                self.take_from(asset, *account, *amount);
            }
            Event::JobPosted {
                job_id,
                poster,
                asset,
                reward,
                ..
            } => {
                let v = self.take_from(asset, *poster, *reward);
                self.jobs.insert(job_id.clone(), (asset.clone(), v));
            }
            Event::JobPaid {
                job_id,
                poster,
                worker,
                asset,
                amount,
                ..
            }
            | Event::JobAutoReleased {
                job_id,
                poster,
                worker,
                asset,
                amount,
            } => {
                let (_, mut escrow) = self.jobs.remove(job_id).unwrap_or_default();
                let v = take(&mut escrow, *amount);
                self.pay(period, asset, *poster, *worker, &v);
            }
            Event::JobResolved {
                job_id,
                poster,
                worker,
                asset,
                to_worker,
                to_poster,
                ..
            } => {
                let (_, mut escrow) = self.jobs.remove(job_id).unwrap_or_default();
                let w = take(&mut escrow, *to_worker);
                self.pay(period, asset, *poster, *worker, &w);
                let p = take(&mut escrow, *to_poster);
                self.give(asset, *poster, &p);
            }
            Event::JobCancelled {
                job_id,
                poster,
                asset,
                refunded,
                ..
            }
            | Event::JobExpired {
                job_id,
                poster,
                asset,
                refunded,
            } => {
                let (_, mut escrow) = self.jobs.remove(job_id).unwrap_or_default();
                let v = take(&mut escrow, *refunded);
                self.give(asset, *poster, &v);
            }
            _ => {}
        }
    }

    /// Per period and asset: `cycle_share_permille`, `cycle_accounts`,
    /// `cycle_components` (those of at least k accounts),
    /// `cycle_largest_accounts`; `respend_hop_1_permille` ..=
    /// `respend_hop_5_permille` (5: five or more; shares of the period's
    /// payment value) and `respend_hops_mean_permille`. No absolute value:
    /// the payments' total less the published spending, re-spend and
    /// transfers would be a withheld figure.
    pub fn figures(&self, k: usize, out: &mut Vec<Figure>) {
        let mut push =
            |period: &str, asset: &str, metric: &str, v: Option<u64>, w: Option<&str>| {
                out.push(Figure {
                    period: period.into(),
                    subject: asset.into(),
                    metric: metric.into(),
                    value: if w.is_some() { None } else { v },
                    withheld: w.map(String::from),
                })
            };
        for ((period, asset), edges) in &self.edges {
            // In order: the components and their figures do not depend on
            // the hash map's order.
            let edges: BTreeMap<(Address, Address), u64> =
                edges.iter().map(|(e, v)| (*e, *v)).collect();
            let c = cycles_of(&edges);
            let mut all: BTreeMap<Address, u64> = BTreeMap::new();
            for ((from, _), v) in &edges {
                *all.entry(*from).or_default() += v;
            }
            let w = side_withheld(Group::Resident, c.in_cycles, &c.senders, k)
                .or(side_withheld(Group::Resident, c.total, &all, k))
                .or((c.accounts < k).then_some("fewer than k accounts"));
            let share = ratio_permille(c.in_cycles, c.total);
            push(period, asset, "cycle_share_permille", share, w);
            let few = (c.accounts < k).then_some("fewer than k accounts");
            let n = Some(c.accounts as u64);
            push(period, asset, "cycle_accounts", n, few);
            let large: Vec<usize> = c.sizes.iter().copied().filter(|n| *n >= k).collect();
            let n = Some(large.len() as u64);
            push(period, asset, "cycle_components", n, None);
            let largest = large.iter().max().map(|n| *n as u64);
            let few = largest.is_none().then_some("fewer than k accounts");
            push(period, asset, "cycle_largest_accounts", largest, few);
        }
        for ((period, asset), hops) in &self.hops {
            let amounts: Vec<u64> = hops
                .iter()
                .map(|h| h.values().fold(0u64, |a, v| a.saturating_add(*v)))
                .collect();
            let total = amounts.iter().fold(0u64, |a, v| a.saturating_add(*v));
            let mut why: Vec<Option<&str>> = hops
                .iter()
                .zip(&amounts)
                .map(|(h, n)| side_withheld(Group::Resident, *n, h, k))
                .collect();
            // The shares add up to 1,000: one withheld is not to be read off
            // the others.
            let line: Vec<(u64, bool)> = amounts
                .iter()
                .zip(&why)
                .map(|(n, w)| (*n, w.is_some()))
                .collect();
            if let Some(i) = complement(&line) {
                why[i] = Some(COMPLEMENT);
            }
            let mut weighted = 0u128;
            for (i, (n, w)) in amounts.iter().zip(&why).enumerate() {
                let metric = format!("respend_hop_{}_permille", i + 1);
                push(period, asset, &metric, ratio_permille(*n, total), *w);
                weighted += (i as u128 + 1) * u128::from(*n);
            }
            let mean = (total > 0).then(|| {
                let n = u128::from(total);
                ((weighted * 1000 + n / 2) / n) as u64
            });
            // With the shares, the mean would solve for two withheld hops.
            let w = why.iter().flatten().next().map(|_| COMPLEMENT);
            push(period, asset, "respend_hops_mean_permille", mean, w);
        }
    }
}

/// What the strongly connected components of a payment graph hold.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct CycleSummary {
    pub total: u64,
    pub in_cycles: u64,
    /// Accounts in components of two or more.
    pub accounts: usize,
    /// Each such component's size, largest first.
    pub sizes: Vec<usize>,
    /// What each account sent on edges inside its component.
    pub senders: BTreeMap<Address, u64>,
}

pub(crate) fn cycles_of(edges: &BTreeMap<(Address, Address), u64>) -> CycleSummary {
    let mut g: DiGraph<Address, ()> = DiGraph::new();
    let mut index: BTreeMap<Address, NodeIndex> = BTreeMap::new();
    let mut node =
        |g: &mut DiGraph<Address, ()>, a: Address| *index.entry(a).or_insert_with(|| g.add_node(a));
    for (from, to) in edges.keys() {
        let (f, t) = (node(&mut g, *from), node(&mut g, *to));
        g.add_edge(f, t, ());
    }
    let mut component = vec![usize::MAX; g.node_count()];
    let mut s = CycleSummary::default();
    for (i, scc) in petgraph::algo::tarjan_scc(&g).iter().enumerate() {
        if scc.len() < 2 {
            continue;
        }
        s.sizes.push(scc.len());
        s.accounts += scc.len();
        for n in scc {
            component[n.index()] = i;
        }
    }
    s.sizes.sort_unstable_by(|a, b| b.cmp(a));
    for ((from, to), v) in edges {
        s.total = s.total.saturating_add(*v);
        let (f, t) = (index[from].index(), index[to].index());
        if component[f] != usize::MAX && component[f] == component[t] {
            s.in_cycles = s.in_cycles.saturating_add(*v);
            *s.senders.entry(*from).or_default() += v;
        }
    }
    s
}

#[cfg(test)]
#[path = "cycles_tests.rs"]
mod tests;
