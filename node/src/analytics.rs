//! The town's aggregates, kept live for the Analytics service: the flows
//! of the auditor's report (yui-analytics) per day, week and month, built at
//! startup from this node's own stored blocks, receipts and block-start
//! events from height 1, then fed every committed block.
//!
//! Off the consensus path: a thread of its own follows the commit broadcast
//! (a commit never waits for it; when it falls behind, it reads the blocks
//! it missed from the store), and nothing here decides validity. No
//! signature is checked: these are the node's own committed blocks. An
//! asset's kind and a merchant's class met for the first time are read from
//! the latest committed state (they do not change).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, RwLock, Weak};

use tokio::sync::{OwnedSemaphorePermit, Semaphore, broadcast, watch};
use yui_analytics::flows::{Figure, Flows, Period};
use yui_analytics::matrix::FlowCell;

use yui_ledger::{Event, Receipt};

use crate::chain::{Committed, Shared};

/// Figures kept computed per (period, k), for the watchers that share them.
const COMPUTED_KEPT_MAX: usize = 16;

/// WatchFigures streams served at once by a node; one more is refused
/// (RESOURCE_EXHAUSTED) until one ends.
pub const WATCHERS_MAX: usize = 256;

/// Where the aggregates are.
enum State {
    /// Reading the stored chain at startup.
    Building,
    Ready(Box<Books>),
    /// Not kept, and why (a store that begins at a snapshot, a failed read).
    Unavailable(String),
}

/// The flows of every block up to `height`, one per period length.
struct Books {
    height: u64,
    time_ms: u64,
    /// Day, week, month.
    flows: [Flows; 3],
}

fn index(p: Period) -> usize {
    match p {
        Period::Day => 0,
        Period::Week => 1,
        Period::Month => 2,
    }
}

impl Books {
    fn new(genesis: &yui_ledger::Genesis, tz: &jiff::tz::TimeZone) -> Self {
        let f = |p| Flows::from_genesis(genesis, p, tz.clone());
        Self {
            height: 0,
            time_ms: 0,
            flows: [f(Period::Day), f(Period::Week), f(Period::Month)],
        }
    }

    fn apply(&mut self, shared: &Shared, b: &Seen<'_>) {
        for f in &mut self.flows {
            f.observe_committed(b.time_ms, b.begin_events, b.receipts, &shared.store);
        }
        self.height = b.height;
        self.time_ms = b.time_ms;
    }
}

/// What the books take in of a committed block.
struct Seen<'a> {
    height: u64,
    time_ms: u64,
    begin_events: &'a [Event],
    receipts: &'a [Receipt],
}

impl<'a> From<&'a Committed> for Seen<'a> {
    fn from(c: &'a Committed) -> Self {
        Self {
            height: c.block.header.height,
            time_ms: c.block.header.time_ms,
            begin_events: &c.begin_events,
            receipts: &c.receipts,
        }
    }
}

/// A block read back from the store: what the books take of it (not its
/// certificate: nothing here checks one).
struct Stored {
    height: u64,
    time_ms: u64,
    receipts: Vec<Receipt>,
    begin_events: Vec<Event>,
}

impl<'a> From<&'a Stored> for Seen<'a> {
    fn from(b: &'a Stored) -> Self {
        Self {
            height: b.height,
            time_ms: b.time_ms,
            begin_events: &b.begin_events,
            receipts: &b.receipts,
        }
    }
}

/// The block at `height`, read back from the store.
fn stored(shared: &Shared, height: u64) -> anyhow::Result<Stored> {
    let s = &shared.store;
    let block = s
        .block(height)?
        .ok_or_else(|| anyhow::anyhow!("block {height} is not stored"))?;
    let receipts = s.receipts(height, block.txs.len())?;
    let begin_events = s.begin_events(height)?;
    Ok(Stored {
        height,
        time_ms: block.header.time_ms,
        receipts,
        begin_events,
    })
}

/// Everything computed for one period length and k at one height.
pub struct Computed {
    pub height: u64,
    pub time_ms: u64,
    /// The period of the latest block.
    pub current: String,
    pub figures: Vec<Figure>,
    pub cells: Vec<FlowCell>,
    pub assets: BTreeSet<String>,
}

/// Why figures cannot be had now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotKept {
    Building,
    Unavailable(String),
}

/// The live aggregates and who waits for them.
pub struct Live {
    /// The privacy floor (`[analytics] k_min`).
    pub k_min: usize,
    /// The town's time zone, by name.
    pub time_zone: String,
    state: RwLock<State>,
    /// The height the aggregates describe; watchers wait on it.
    height: watch::Sender<u64>,
    computed: Mutex<BTreeMap<(usize, usize), Arc<Computed>>>,
    /// A permit per WatchFigures stream being served.
    watchers: Arc<Semaphore>,
}

impl Live {
    /// Starts keeping the aggregates of `shared`'s chain, or `None` when
    /// the config disables them.
    pub fn start(shared: &Arc<Shared>) -> Option<Arc<Self>> {
        let cfg = &shared.cfg.analytics;
        if !cfg.enabled {
            return None;
        }
        let live = Arc::new(Self::new(
            cfg.k_min as usize,
            shared.cfg.node.time_zone.clone(),
        ));
        // Subscribed before the store is read: no commit falls between.
        let sub = shared.committed.subscribe();
        let weak = Arc::downgrade(shared);
        let l = live.clone();
        let spawned = std::thread::Builder::new()
            .name("yui-analytics".into())
            .spawn(move || l.follow(&weak, sub));
        if let Err(e) = spawned {
            live.set(State::Unavailable(format!("cannot start: {e}")));
        }
        Some(live)
    }

    /// Aggregates not yet built, with the floor `k_min`.
    fn new(k_min: usize, time_zone: String) -> Self {
        Self {
            k_min,
            time_zone,
            state: RwLock::new(State::Building),
            height: watch::Sender::new(0),
            computed: Mutex::new(BTreeMap::new()),
            watchers: Arc::new(Semaphore::new(WATCHERS_MAX)),
        }
    }

    /// A place for one more watcher, to hold for as long as its stream is
    /// served; None while [`WATCHERS_MAX`] are.
    pub fn watcher(&self) -> Option<OwnedSemaphorePermit> {
        self.watchers.clone().try_acquire_owned().ok()
    }

    fn set(&self, s: State) {
        let h = match &s {
            State::Ready(b) => Some(b.height),
            _ => None,
        };
        if let Ok(mut w) = self.state.write() {
            *w = s;
        }
        if let Some(h) = h {
            self.height.send_replace(h);
        }
    }

    /// The thread: build from the store, then follow the commits until the
    /// node goes.
    fn follow(&self, shared: &Weak<Shared>, mut sub: broadcast::Receiver<Arc<Committed>>) {
        let started = std::time::Instant::now();
        let books = match self.build(shared) {
            Ok(Some(b)) => b,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(error = %e, "analytics: not kept");
                self.set(State::Unavailable(e.to_string()));
                return;
            }
        };
        tracing::info!(
            height = books.height,
            ms = started.elapsed().as_millis() as u64,
            "analytics: built from the stored chain"
        );
        self.set(State::Ready(Box::new(books)));
        loop {
            let c = match sub.blocking_recv() {
                Ok(c) => Some(c),
                Err(broadcast::error::RecvError::Lagged(_)) => None,
                Err(broadcast::error::RecvError::Closed) => return,
            };
            let Some(shared) = shared.upgrade() else {
                return;
            };
            if let Err(e) = self.advance(&shared, c.as_deref()) {
                tracing::warn!(error = %e, "analytics: stopped");
                self.set(State::Unavailable(e.to_string()));
                return;
            }
        }
    }

    fn build(&self, shared: &Weak<Shared>) -> anyhow::Result<Option<Books>> {
        let (mut books, last) = {
            let Some(s) = shared.upgrade() else {
                return Ok(None);
            };
            let base = s.store.base_height()?;
            if base > 0 {
                anyhow::bail!(
                    "this node's store begins at a snapshot (height {base}), not at height 1"
                );
            }
            let tz = jiff::tz::TimeZone::get(&s.cfg.node.time_zone)
                .map_err(|e| anyhow::anyhow!("node.time_zone: {e}"))?;
            let last = s.store.last_height()?.unwrap_or(0);
            (Books::new(&s.genesis, &tz), last)
        };
        for h in 1..=last {
            let Some(s) = shared.upgrade() else {
                return Ok(None);
            };
            books.apply(&s, &(&stored(&s, h)?).into());
            s.metrics
                .analytics_height
                .set(i64::try_from(h).unwrap_or(i64::MAX));
        }
        Ok(Some(books))
    }

    /// Takes in the commit `c` announced, and any block before it that was
    /// missed (from the store).
    fn advance(&self, shared: &Shared, c: Option<&Committed>) -> anyhow::Result<()> {
        let target = match c {
            Some(c) => c.block.header.height,
            None => shared.store.last_height()?.unwrap_or(0),
        };
        loop {
            let next = {
                let r = self.state.read().map_err(|_| anyhow::anyhow!("poisoned"))?;
                match &*r {
                    State::Ready(b) => b.height + 1,
                    _ => return Ok(()),
                }
            };
            if next > target {
                return Ok(());
            }
            let read;
            let block: Seen<'_> = match c {
                Some(c) if c.block.header.height == next => c.into(),
                _ => {
                    read = stored(shared, next)?;
                    (&read).into()
                }
            };
            {
                let mut w = self
                    .state
                    .write()
                    .map_err(|_| anyhow::anyhow!("poisoned"))?;
                if let State::Ready(b) = &mut *w {
                    b.apply(shared, &block);
                }
            }
            let gauge = i64::try_from(next).unwrap_or(i64::MAX);
            shared.metrics.analytics_height.set(gauge);
            self.height.send_replace(next);
        }
    }

    /// Waits for the height the aggregates describe to change.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.height.subscribe()
    }

    /// The figures and flow cells of `period` at `k`, at the latest height
    /// (computed once per height for everyone asking). Blocking: call it on
    /// a blocking thread.
    pub fn computed(&self, period: Period, k: usize) -> Result<Arc<Computed>, NotKept> {
        let r = self
            .state
            .read()
            .map_err(|_| NotKept::Unavailable("poisoned".into()))?;
        let b = match &*r {
            State::Building => return Err(NotKept::Building),
            State::Unavailable(why) => return Err(NotKept::Unavailable(why.clone())),
            State::Ready(b) => b,
        };
        let key = (index(period), k);
        if let Ok(m) = self.computed.lock()
            && let Some(c) = m.get(&key)
            && c.height == b.height
        {
            return Ok(c.clone());
        }
        let f = &b.flows[index(period)];
        let (figures, cells) = f.report(k);
        let c = Arc::new(Computed {
            height: b.height,
            time_ms: b.time_ms,
            current: f.period_of(b.time_ms),
            figures,
            cells,
            assets: f.asset_ids(),
        });
        drop(r);
        if let Ok(mut m) = self.computed.lock() {
            m.retain(|_, v| v.height == c.height);
            if m.len() >= COMPUTED_KEPT_MAX {
                m.clear();
            }
            m.insert(key, c.clone());
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn watchers_are_bounded_and_a_place_frees_when_one_goes() {
        let live = Live::new(10, "Asia/Tokyo".into());
        let mut held: Vec<_> = (0..WATCHERS_MAX).filter_map(|_| live.watcher()).collect();
        assert_eq!(
            held.len(),
            WATCHERS_MAX,
            "a watcher within the bound was refused"
        );
        assert!(live.watcher().is_none(), "one past the bound was let in");
        held.pop();
        let again = live.watcher();
        assert!(again.is_some(), "a freed place was not given again");
        assert!(live.watcher().is_none(), "the freed place was given twice");
    }

    #[test]
    fn figures_are_not_had_before_the_books_are_built() {
        let live = Live::new(10, "Asia/Tokyo".into());
        assert!(matches!(
            live.computed(Period::Month, 10),
            Err(NotKept::Building)
        ));
    }
}
