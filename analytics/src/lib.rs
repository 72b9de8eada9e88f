//! The town's aggregates: how its money moved, per period and asset, from
//! the events of committed blocks and their times. Pure: events and block
//! times in, figures out; every published figure is k-safe (docs/metrics.md).
//!
//! Used by the auditor's report (`yui audit report`, after a verifying
//! replay) and by the node's live `Analytics` service (from its own
//! committed chain). Nothing here decides validity: it only reads what the
//! ledger already executed.

mod campaigns;
mod cycles;
pub mod extra;
mod figures;
pub mod flows;
mod holding;
pub mod identities;
pub mod matrix;
pub mod select;
mod stocks;

#[cfg(test)]
mod test_town;
