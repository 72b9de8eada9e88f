//! `yui analytics …`: the town's aggregates live from a node (its Analytics
//! service), the same k-safe figures and flows as `yui audit report`, open
//! to anyone: no key, no replay.

use clap::Subcommand;
use serde_json::json;
use yui_cli::Client;
use yui_cli::audit::flows::{Figure, Period};
use yui_cli::render::{Output, date, print};
use yui_proto::v1 as pb;

#[derive(Subcommand)]
pub(crate) enum AnalyticsCmd {
    /// Every period's figures and flows between groups, to the latest block.
    Figures {
        #[command(flatten)]
        a: AskArgs,
    },
    /// The current period's figures, again after each new block (at most
    /// once a second).
    Watch {
        #[command(flatten)]
        a: AskArgs,
        /// Stop after this many updates (default: never).
        #[arg(long)]
        count: Option<usize>,
    },
}

#[derive(clap::Args)]
pub(crate) struct AskArgs {
    /// The length of a period.
    #[arg(long, value_enum, default_value = "month")]
    period: Period,
    /// Only this asset's figures (and the town-wide ones).
    #[arg(long, default_value = "")]
    asset: String,
    /// The smallest number of accounts a published figure describes
    /// (default: the node's floor; a node refuses less).
    #[arg(long, default_value_t = 0)]
    k: u32,
}

fn period(p: Period) -> pb::Period {
    match p {
        Period::Day => pb::Period::Day,
        Period::Week => pb::Period::Week,
        Period::Month => pb::Period::Month,
    }
}

/// The reply's figures and flow cells as the report's figures (a cell as
/// the metric `flow:<from>><to>`), in the report's order.
pub(crate) fn as_figures(r: &pb::FiguresReply) -> Vec<Figure> {
    let reason = |w: &str| (!w.is_empty()).then(|| w.to_string());
    let figures = r.figures.iter().map(|f| Figure {
        period: f.period.clone(),
        subject: f.subject.clone(),
        metric: f.metric.clone(),
        value: f.value,
        withheld: reason(&f.withheld_reason),
    });
    let cells = r.flows.iter().map(|c| Figure {
        period: c.period.clone(),
        subject: c.asset.clone(),
        metric: format!("flow:{}>{}", c.from, c.to),
        value: c.value,
        withheld: reason(&c.withheld_reason),
    });
    figures.chain(cells).collect()
}

fn show(out: Output, r: &pb::FiguresReply) {
    let figures = as_figures(r);
    let v = json!({
        "height": r.height,
        "time_ms": r.time_ms,
        "time": date(r.time_ms),
        "k": r.k,
        "time_zone": r.time_zone,
        "periods": r.periods,
        "figures": figures,
    });
    let text = format!(
        "height {} ({}), periods {}; figures describe at least k = {} accounts\n{}",
        r.height,
        date(r.time_ms),
        r.periods.join(", "),
        r.k,
        crate::report_cmd::table(&figures)
    );
    print(out, v, text);
}

pub(crate) async fn analytics(c: &Client, out: Output, cmd: AnalyticsCmd) -> anyhow::Result<()> {
    match cmd {
        AnalyticsCmd::Figures { a } => {
            let r = c
                .analytics
                .clone()
                .figures(pb::FiguresRequest {
                    period: period(a.period) as i32,
                    asset: a.asset,
                    k: a.k,
                })
                .await?
                .into_inner();
            show(out, &r);
            Ok(())
        }
        AnalyticsCmd::Watch { a, count } => {
            let mut stream = c
                .analytics
                .clone()
                .watch_figures(pb::WatchFiguresRequest {
                    period: period(a.period) as i32,
                    asset: a.asset,
                    k: a.k,
                })
                .await?
                .into_inner();
            let mut seen = 0;
            while let Some(r) = stream.message().await? {
                show(out, &r);
                seen += 1;
                if count.is_some_and(|n| seen >= n) {
                    break;
                }
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_reads_as_the_reports_figures() {
        let r = pb::FiguresReply {
            figures: vec![pb::Figure {
                period: "2025-04".into(),
                subject: "yen".into(),
                metric: "spent".into(),
                value: None,
                withheld: pb::Withheld::FewerThanKAccounts as i32,
                withheld_reason: "fewer than k accounts".into(),
            }],
            flows: vec![pb::FlowCell {
                period: "2025-04".into(),
                asset: "yen".into(),
                from: "resident".into(),
                to: "merchant:large".into(),
                value: Some(900),
                accounts: 14,
                withheld: 0,
                withheld_reason: String::new(),
            }],
            ..Default::default()
        };
        let f = as_figures(&r);
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].withheld.as_deref(), Some("fewer than k accounts"));
        assert_eq!(f[0].value, None);
        assert_eq!(f[1].metric, "flow:resident>merchant:large");
        assert_eq!((f[1].value, f[1].withheld.as_deref()), (Some(900), None));
    }
}
