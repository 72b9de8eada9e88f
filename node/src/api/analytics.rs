//! The Analytics service: the town's k-safe aggregates for dashboards, open
//! to anyone, from the node's live books (crate::analytics).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};
use yui_analytics::flows::{Figure, Period};
use yui_analytics::matrix::FlowCell;
use yui_analytics::select::{self, Selection};
use yui_proto::v1 as pb;

use super::{Api, Stream_, id_arg, internal};
use crate::analytics::{Live, NotKept, WATCHERS_MAX};

/// A watcher hears at most one reply in this long.
const WATCH_EVERY: Duration = Duration::from_secs(1);

/// What a request asks for, checked.
#[derive(Debug, Clone)]
struct Ask {
    period: Period,
    k: usize,
    asset: Option<String>,
}

fn ask(live: &Live, period: i32, asset: String, k: u32) -> Result<Ask, Status> {
    let period = match pb::Period::try_from(period) {
        Ok(pb::Period::Unspecified | pb::Period::Month) => Period::Month,
        Ok(pb::Period::Week) => Period::Week,
        Ok(pb::Period::Day) => Period::Day,
        Err(_) => return Err(Status::invalid_argument(format!("unknown period {period}"))),
    };
    id_arg("asset", &asset, true)?;
    let k = if k == 0 { live.k_min } else { k as usize };
    if k < live.k_min {
        return Err(Status::invalid_argument(format!(
            "k = {k} is below this node's privacy floor of {}: no published figure describes fewer accounts",
            live.k_min
        )));
    }
    Ok(Ask {
        period,
        k,
        asset: (!asset.is_empty()).then_some(asset),
    })
}

/// The report's words for why a figure is withheld, as the API's code.
pub(crate) fn withheld_code(reason: Option<&str>) -> pb::Withheld {
    match reason {
        None => pb::Withheld::None,
        Some("fewer than k accounts") => pb::Withheld::FewerThanKAccounts,
        Some("fewer than k merchants") => pb::Withheld::FewerThanKMerchants,
        Some("one merchant dominates") => pb::Withheld::OneMerchantDominates,
        Some("one account dominates") => pb::Withheld::OneAccountDominates,
        Some("fewer than k holders") => pb::Withheld::FewerThanKHolders,
        Some(yui_analytics::flows::COMPLEMENT) => pb::Withheld::Complement,
        Some(_) => pb::Withheld::Other,
    }
}

fn figure(f: Figure) -> pb::Figure {
    pb::Figure {
        withheld: withheld_code(f.withheld.as_deref()) as i32,
        withheld_reason: f.withheld.unwrap_or_default(),
        period: f.period,
        subject: f.subject,
        metric: f.metric,
        value: f.value,
    }
}

fn flow_cell(c: FlowCell) -> pb::FlowCell {
    let published = c.withheld.is_none();
    pb::FlowCell {
        period: c.period,
        asset: c.asset,
        from: c.from,
        to: c.to,
        value: published.then_some(c.value),
        accounts: if published { c.accounts as u64 } else { 0 },
        withheld: withheld_code(c.withheld) as i32,
        withheld_reason: c.withheld.unwrap_or_default().into(),
    }
}

fn period_pb(p: Period) -> pb::Period {
    match p {
        Period::Day => pb::Period::Day,
        Period::Week => pb::Period::Week,
        Period::Month => pb::Period::Month,
    }
}

/// The reply to `a`, of every period or only the current one.
async fn reply(live: Arc<Live>, a: Ask, current_only: bool) -> Result<pb::FiguresReply, Status> {
    tokio::task::spawn_blocking(move || {
        let c = live.computed(a.period, a.k).map_err(|e| match e {
            NotKept::Building => Status::unavailable(
                "this node is still building its aggregates from its stored blocks; retry shortly",
            ),
            NotKept::Unavailable(why) => {
                Status::unavailable(format!("this node keeps no aggregates: {why}"))
            }
        })?;
        let sel = Selection {
            asset: a.asset.clone(),
            period: current_only.then(|| c.current.clone()),
        };
        let figures = sel.figures(&c.figures, &c.assets);
        let cells = sel.flows(&c.cells);
        Ok(pb::FiguresReply {
            height: c.height,
            time_ms: c.time_ms,
            period: period_pb(a.period) as i32,
            k: u32::try_from(a.k).unwrap_or(u32::MAX),
            time_zone: live.time_zone.clone(),
            periods: select::periods(&figures, &cells),
            figures: figures.into_iter().map(figure).collect(),
            flows: cells.into_iter().map(flow_cell).collect(),
        })
    })
    .await
    .map_err(internal)?
}

impl Api {
    fn live(&self) -> Result<Arc<Live>, Status> {
        self.analytics.clone().ok_or_else(|| {
            Status::unavailable("this node keeps no aggregates ([analytics] enabled = false)")
        })
    }
}

/// Sends the current period's figures now and after each change of height,
/// at most once per `WATCH_EVERY`, until the client goes.
async fn watch(live: Arc<Live>, a: Ask, tx: mpsc::Sender<Result<pb::FiguresReply, Status>>) {
    let mut heights = live.subscribe();
    loop {
        heights.borrow_and_update();
        let r = reply(live.clone(), a.clone(), true).await;
        let failed = r.is_err();
        if tx.send(r).await.is_err() || failed {
            return;
        }
        tokio::select! {
            _ = tokio::time::sleep(WATCH_EVERY) => {}
            _ = tx.closed() => return,
        }
        tokio::select! {
            changed = heights.changed() => if changed.is_err() { return },
            _ = tx.closed() => return,
        }
    }
}

#[tonic::async_trait]
impl pb::analytics_server::Analytics for Api {
    async fn figures(
        &self,
        req: Request<pb::FiguresRequest>,
    ) -> Result<Response<pb::FiguresReply>, Status> {
        let live = self.live()?;
        let r = req.into_inner();
        let a = ask(&live, r.period, r.asset, r.k)?;
        Ok(Response::new(reply(live, a, false).await?))
    }

    type WatchFiguresStream = Stream_<pb::FiguresReply>;

    async fn watch_figures(
        &self,
        req: Request<pb::WatchFiguresRequest>,
    ) -> Result<Response<Self::WatchFiguresStream>, Status> {
        let live = self.live()?;
        let r = req.into_inner();
        let a = ask(&live, r.period, r.asset, r.k)?;
        let place = live.watcher().ok_or_else(|| {
            Status::resource_exhausted(format!(
                "this node is already serving {WATCHERS_MAX} watchers; retry shortly"
            ))
        })?;
        let (tx, rx) = mpsc::channel(1);
        tokio::spawn(async move {
            watch(live, a, tx).await;
            drop(place);
        });
        Ok(Response::new(Box::pin(ReceiverStream::new(rx))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_the_report_gives_has_its_code() {
        let known = [
            ("fewer than k accounts", pb::Withheld::FewerThanKAccounts),
            ("fewer than k merchants", pb::Withheld::FewerThanKMerchants),
            ("one merchant dominates", pb::Withheld::OneMerchantDominates),
            ("one account dominates", pb::Withheld::OneAccountDominates),
            ("fewer than k holders", pb::Withheld::FewerThanKHolders),
            ("complement of a withheld figure", pb::Withheld::Complement),
        ];
        for (words, code) in known {
            assert_eq!(withheld_code(Some(words)), code, "{words}");
        }
        assert_eq!(withheld_code(None), pb::Withheld::None);
        assert_eq!(withheld_code(Some("something new")), pb::Withheld::Other);
    }

    #[test]
    fn a_withheld_cell_shows_neither_value_nor_count() {
        let c = flow_cell(FlowCell {
            period: "2025-04".into(),
            asset: "yen".into(),
            from: "resident".into(),
            to: "merchant:large".into(),
            value: 0,
            accounts: 0,
            withheld: Some("fewer than k accounts"),
        });
        assert_eq!(c.value, None);
        assert_eq!(c.withheld, pb::Withheld::FewerThanKAccounts as i32);
        let f = figure(Figure {
            period: "2025-04".into(),
            subject: "yen".into(),
            metric: "spent".into(),
            value: Some(120),
            withheld: None,
        });
        assert_eq!((f.value, f.withheld), (Some(120), 0));
    }
}
