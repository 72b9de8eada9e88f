//! What a dashboard asks of the figures: one asset's, one period's. The
//! figures are selected after they were computed and withheld as a whole,
//! so a selection never publishes what the whole withholds.

use std::collections::BTreeSet;

use super::flows::{Figure, Flows};
use super::matrix::FlowCell;

impl Flows {
    /// Every asset the flows have met, by id.
    pub fn asset_ids(&self) -> BTreeSet<String> {
        self.kinds
            .keys()
            .cloned()
            .chain(self.assets.keys().map(|(_, a)| a.clone()))
            .collect()
    }

    /// The label of the period a block time falls in.
    pub fn period_of(&self, time_ms: u64) -> String {
        self.period().label(time_ms, self.tz())
    }
}

/// Which figures and flow cells to keep: of one asset (the town-wide ones,
/// of jobs, accounts, campaigns and all prepaid assets, are kept), of one
/// period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    pub asset: Option<String>,
    pub period: Option<String>,
}

impl Selection {
    fn period_ok(&self, p: &str) -> bool {
        self.period.as_deref().is_none_or(|want| want == p)
    }

    /// The figures selected, in their order (only those are copied: a
    /// watcher's selection is one period of many). `assets`: the chain's
    /// asset ids ([`Flows::asset_ids`]); a figure whose subject is another
    /// asset goes.
    pub fn figures(&self, figures: &[Figure], assets: &BTreeSet<String>) -> Vec<Figure> {
        figures
            .iter()
            .filter(|f| self.period_ok(&f.period))
            .filter(|f| match &self.asset {
                None => true,
                Some(a) => f.subject == *a || !assets.contains(&f.subject),
            })
            .cloned()
            .collect()
    }

    /// The flow cells selected, in their order.
    pub fn flows(&self, cells: &[FlowCell]) -> Vec<FlowCell> {
        cells
            .iter()
            .filter(|c| self.period_ok(&c.period))
            .filter(|c| self.asset.as_deref().is_none_or(|a| a == c.asset))
            .cloned()
            .collect()
    }
}

/// The periods the figures and cells cover, oldest first ("all", a
/// campaign's whole life, last).
pub fn periods(figures: &[Figure], cells: &[FlowCell]) -> Vec<String> {
    let set: BTreeSet<&str> = figures
        .iter()
        .map(|f| f.period.as_str())
        .chain(cells.iter().map(|c| c.period.as_str()))
        .collect();
    set.into_iter().map(String::from).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fig(period: &str, subject: &str, value: Option<u64>) -> Figure {
        Figure {
            period: period.into(),
            subject: subject.into(),
            metric: "spent".into(),
            value,
            withheld: value.is_none().then(|| "fewer than k accounts".into()),
        }
    }

    fn cell(period: &str, asset: &str) -> FlowCell {
        FlowCell {
            period: period.into(),
            asset: asset.into(),
            from: "resident".into(),
            to: "merchant:small_local".into(),
            value: 5,
            accounts: 12,
            withheld: None,
        }
    }

    #[test]
    fn one_asset_keeps_the_town_wide_figures_and_drops_other_assets() {
        let assets: BTreeSet<String> = ["yen".into(), "points".into()].into();
        let figs = vec![
            fig("2025-04", "yen", Some(1)),
            fig("2025-04", "points", Some(2)),
            fig("2025-04", "accounts", Some(3)),
            fig("all", "campaign:spring", None),
        ];
        let s = Selection {
            asset: Some("yen".into()),
            period: None,
        };
        let got: Vec<_> = s
            .figures(&figs, &assets)
            .into_iter()
            .map(|f| f.subject)
            .collect();
        assert_eq!(got, ["yen", "accounts", "campaign:spring"]);
        assert_eq!(Selection::default().figures(&figs, &assets).len(), 4);
        let cells = vec![cell("2025-04", "yen"), cell("2025-04", "points")];
        assert_eq!(s.flows(&cells).len(), 1);
    }

    #[test]
    fn one_period_and_a_withheld_figure_stays_withheld() {
        let figs = vec![
            fig("2025-04", "yen", Some(1)),
            fig("2025-05", "yen", None),
            fig("2025-05", "accounts", Some(30)),
        ];
        let s = Selection {
            asset: None,
            period: Some("2025-05".into()),
        };
        let got = s.figures(&figs, &BTreeSet::new());
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].value, None);
        assert_eq!(got[0].withheld.as_deref(), Some("fewer than k accounts"));
        let cells = vec![cell("2025-04", "yen"), cell("2025-05", "yen")];
        assert_eq!(periods(&got, &s.flows(&cells)), ["2025-05".to_string()]);
        assert_eq!(
            periods(&[], &cells),
            ["2025-04".to_string(), "2025-05".to_string()]
        );
    }
}
