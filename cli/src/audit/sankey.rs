//! A Sankey-style chart of the flows between groups, written as SVG (a
//! layout plotters does not have): the groups stand in columns — the
//! issuer, then the town's people, then merchants and job escrow, then
//! where value leaves (redeemed for yen, fees, breakage, burned) — each as
//! tall as the larger of what enters and leaves it, and each flow is a band
//! as wide as its value. A flow that goes back or stays in its column
//! (person to person, refunds, merchants paying merchants, escrow paid
//! out) is a loop under the columns. Withheld cells are never drawn: the
//! note under the chart counts them. Integer layout: the same flows give
//! the same SVG.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::labels;
use super::page::escape;

/// One cell of the flows matrix as the chart reads it (the shape of the
/// report's flow cells, borrowed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub value: u64,
    pub withheld: Option<&'a str>,
}

pub const WIDTH: i64 = 1160;
pub const HEIGHT: i64 = 480;
const TOP: i64 = 48;
const BOTTOM: i64 = 48;
const NODE_W: i64 = 14;
const NODE_GAP: i64 = 14;
const LANE_GAP: i64 = 6;
/// A loop's lane is at least this tall, so that the loops' labels do not meet.
const LANE_MIN: i64 = 16;
/// At most this many loops are drawn.
const MAX_LOOPS: usize = 4;
const LEFT: i64 = 16;
const RIGHT: i64 = 290;

/// Where a group stands: its column and its place in it.
fn place(group: &str) -> (i64, i64) {
    match group {
        "issuer" => (0, 0),
        "resident" | "residents" => (1, 0),
        "coordinator" => (1, 1),
        "institution" => (1, 2),
        "city" => (1, 3),
        "merchant:small_local" => (2, 0),
        "merchant:large" => (2, 1),
        "merchant:public" => (2, 2),
        "escrow" => (2, 4),
        "redeemed" => (3, 0),
        "operator" => (3, 1),
        "breakage" => (3, 2),
        "burned" => (3, 3),
        g if g.starts_with("merchant:") => (2, 3),
        _ => (1, 5),
    }
}

fn color(group: &str) -> &'static str {
    match group {
        "issuer" => "#3A6EA5",
        "resident" | "residents" => "#3C9A5F",
        "coordinator" | "institution" | "city" => "#7A8B99",
        "merchant:small_local" => "#E08A1E",
        "merchant:large" => "#C0572B",
        "merchant:public" => "#8E6BB8",
        "escrow" => "#B07AA1",
        "redeemed" => "#6B6B6B",
        "operator" => "#9C9C9C",
        "breakage" => "#C23B3B",
        "burned" => "#444444",
        _ => "#8899AA",
    }
}

/// Values by (from, to) group.
pub type Sums<'a> = BTreeMap<(&'a str, &'a str), u64>;

/// Published links summed per pair of groups, and the withheld ones counted by reason.
pub fn aggregate<'a>(
    links: impl IntoIterator<Item = Link<'a>>,
) -> (Sums<'a>, BTreeMap<&'a str, usize>) {
    let mut sums: BTreeMap<(&str, &str), u64> = BTreeMap::new();
    let mut withheld: BTreeMap<&str, usize> = BTreeMap::new();
    for l in links {
        match l.withheld {
            Some(r) => *withheld.entry(r).or_default() += 1,
            None if l.value > 0 => {
                let s = sums.entry((l.from, l.to)).or_default();
                *s = s.saturating_add(l.value);
            }
            None => {}
        }
    }
    (sums, withheld)
}

struct Node {
    col: i64,
    order: i64,
    value: u64,
    y: i64,
    h: i64,
    out_at: i64,
    in_at: i64,
}

/// The chart of `links` (withheld ones are counted, not drawn).
pub fn sankey<'a>(name: &str, title: &str, links: impl IntoIterator<Item = Link<'a>>) -> String {
    let (sums, withheld) = aggregate(links);
    // Each group's size: the larger of what enters and what leaves.
    let mut inflow: BTreeMap<&str, u64> = BTreeMap::new();
    let mut outflow: BTreeMap<&str, u64> = BTreeMap::new();
    for ((f, t), v) in &sums {
        let o = outflow.entry(f).or_default();
        *o = o.saturating_add(*v);
        let i = inflow.entry(t).or_default();
        *i = i.saturating_add(*v);
    }
    let mut nodes: BTreeMap<&str, Node> = BTreeMap::new();
    for g in inflow.keys().chain(outflow.keys()) {
        let (col, order) = place(g);
        let value = inflow
            .get(g)
            .copied()
            .unwrap_or(0)
            .max(outflow.get(g).copied().unwrap_or(0));
        nodes.entry(g).or_insert(Node {
            col,
            order,
            value,
            y: 0,
            h: 0,
            out_at: 0,
            in_at: 0,
        });
    }
    // Columns in use, left to right, packed.
    let mut cols: Vec<i64> = nodes.values().map(|n| n.col).collect();
    cols.sort_unstable();
    cols.dedup();
    let col_index = |c: i64| cols.iter().position(|x| *x == c).unwrap_or(0) as i64;
    let ranks: BTreeMap<&str, (i64, i64)> =
        nodes.iter().map(|(g, n)| (*g, (n.col, n.order))).collect();
    let rank = |g: &str| ranks.get(g).copied().unwrap_or((9, 9));
    let forward = |f: &str, t: &str| -> bool {
        match (ranks.get(f), ranks.get(t)) {
            (Some(a), Some(b)) => a.0 < b.0,
            _ => false,
        }
    };
    // The largest flows back or within a column are drawn as loops; the
    // rest are counted in the note (flows.csv has them all).
    let mut loops: Vec<((&str, &str), u64)> = sums
        .iter()
        .filter(|((f, t), _)| !forward(f, t))
        .map(|(k, v)| (*k, *v))
        .collect();
    loops.sort_by_key(|(k, v)| (std::cmp::Reverse(*v), *k));
    let more: Vec<u64> = loops.iter().skip(MAX_LOOPS).map(|(_, v)| *v).collect();
    loops.truncate(MAX_LOOPS);
    // One scale for every column and the loops under them.
    let mut col_sum: BTreeMap<i64, (u128, i64)> = BTreeMap::new();
    for n in nodes.values() {
        let e = col_sum.entry(n.col).or_default();
        e.0 += u128::from(n.value);
        e.1 += 1;
    }
    let max_sum = col_sum.values().map(|c| c.0).max().unwrap_or(0);
    let max_gaps = col_sum
        .values()
        .map(|c| (c.1 - 1) * NODE_GAP)
        .max()
        .unwrap_or(0);
    let loop_sum: u128 = loops.iter().map(|(_, v)| u128::from(*v)).sum();
    let room = HEIGHT - TOP - BOTTOM - max_gaps - 16 - LANE_MIN * loops.len() as i64;
    let denom = (max_sum + loop_sum).max(1);
    let px = |v: u64| -> i64 {
        let p = (u128::from(v) * room.max(1) as u128 / denom) as i64;
        if v > 0 { p.max(1) } else { 0 }
    };
    // Stack each column's groups from the top.
    let mut order: Vec<&str> = nodes.keys().copied().collect();
    order.sort_by_key(|g| rank(g));
    let mut bottom = TOP;
    let mut col_y: BTreeMap<i64, i64> = BTreeMap::new();
    for g in &order {
        if let Some(n) = nodes.get_mut(g) {
            let y = col_y.entry(n.col).or_insert(TOP);
            n.y = *y;
            n.h = px(n.value);
            n.out_at = n.y;
            n.in_at = n.y;
            *y += n.h + NODE_GAP;
            bottom = bottom.max(n.y + n.h);
        }
    }
    let span = (WIDTH - LEFT - RIGHT - NODE_W) / (cols.len() as i64 - 1).max(1);
    let x_of = |n: &Node| LEFT + col_index(n.col) * span;

    let mut body = String::new();
    let mut drawn = 0;
    // Forward bands: leave each group in the order of their targets, enter
    // in the order of their sources, so bands cross as little as they can.
    let mut fwd: Vec<((&str, &str), u64)> = sums
        .iter()
        .filter(|((f, t), _)| forward(f, t))
        .map(|(k, v)| (*k, *v))
        .collect();
    let mut out_y: BTreeMap<(&str, &str), i64> = BTreeMap::new();
    fwd.sort_by_key(|((f, t), _)| (rank(f), rank(t)));
    for ((f, t), v) in &fwd {
        if let Some(n) = nodes.get_mut(f) {
            out_y.insert((f, t), n.out_at);
            n.out_at += px(*v);
        }
    }
    fwd.sort_by_key(|((f, t), _)| (rank(t), rank(f)));
    for ((f, t), v) in &fwd {
        let w = px(*v);
        let (Some(a), Some(b)) = (nodes.get(f), nodes.get(t)) else {
            continue;
        };
        // A ribbon: the top edge curves from the source to the target, the
        // bottom edge back, `w` below it all the way.
        let (x0, y0) = (
            x_of(a) + NODE_W,
            out_y.get(&(*f, *t)).copied().unwrap_or(a.y),
        );
        let (x1, y1) = (x_of(b), b.in_at);
        let xm = (x0 + x1) / 2;
        let (b0, b1) = (y0 + w, y1 + w);
        let _ = writeln!(
            body,
            r#"<path class="band" data-from="{fe}" data-to="{te}" data-value="{v}" data-width="{w}" d="M{x0},{y0} C{xm},{y0} {xm},{y1} {x1},{y1} V{b1} C{xm},{b1} {xm},{b0} {x0},{b0} Z" fill="{}" fill-opacity="0.42"><title>{} → {}: {}</title></path>"#,
            color(f),
            escape(&labels::group(f)),
            escape(&labels::group(t)),
            labels::thousands(*v),
            fe = escape(f),
            te = escape(t),
        );
        drawn += 1;
        if let Some(b) = nodes.get_mut(t) {
            b.in_at += w;
        }
    }
    // Loops: out of the group's right side, down to a lane of their own
    // under the columns, back left, and up into the target's left side.
    let mut lane = bottom + 16;
    for (i, ((f, t), v)) in loops.iter().enumerate() {
        let w = px(*v);
        let (Some(a), Some(b)) = (nodes.get(f), nodes.get(t)) else {
            continue;
        };
        let reach = 10 + 6 * i as i64 + w / 2;
        let (x0, y0) = (x_of(a) + NODE_W, a.out_at + w / 2);
        let (x1, y1) = (x_of(b), b.in_at + w / 2);
        let ly = lane + w / 2;
        let _ = writeln!(
            body,
            r#"<path class="band loop" data-from="{fe}" data-to="{te}" data-value="{v}" data-width="{w}" d="M{x0},{y0} H{} V{ly} H{} V{y1} H{x1}" fill="none" stroke="{}" stroke-opacity="0.35" stroke-width="{w}"><title>{} → {}: {}</title></path>"#,
            x0 + reach,
            x1 - reach,
            color(f),
            escape(&labels::group(f)),
            escape(&labels::group(t)),
            labels::thousands(*v),
            fe = escape(f),
            te = escape(t),
        );
        let label = format!("{} → {}", labels::group(f), labels::group(t));
        let _ = writeln!(
            body,
            r#"<text class="halo" x="{}" y="{}" font-size="11" dominant-baseline="middle">{} {}</text>"#,
            ((x1 - reach).min(x0 + reach) + 6).max(4),
            ly,
            escape(&label),
            labels::amount_short(*v)
        );
        drawn += 1;
        lane += (w + LANE_GAP).max(LANE_MIN);
        for (g, out) in [(f, true), (t, false)] {
            if let Some(n) = nodes.get_mut(g) {
                if out {
                    n.out_at += w;
                } else {
                    n.in_at += w;
                }
            }
        }
    }
    // The groups, with their names and sizes.
    for g in &order {
        let Some(n) = nodes.get(g) else { continue };
        let x = x_of(n);
        let _ = writeln!(
            body,
            r#"<rect class="node" data-group="{}" data-value="{}" x="{x}" y="{}" width="{NODE_W}" height="{}" fill="{}"/>"#,
            escape(g),
            n.value,
            n.y,
            n.h.max(1),
            color(g)
        );
        // Two lines (the Japanese name; the gloss and the value), so that
        // a label fits between its column and the next.
        let name = labels::group(g);
        let (ja, en) = name.split_once(' ').unwrap_or((name.as_str(), ""));
        let tx = x + NODE_W + 6;
        let ty = n.y + n.h / 2;
        let _ = writeln!(
            body,
            r#"<text class="halo" x="{tx}" y="{}" font-size="13"><tspan font-weight="bold">{}</tspan><tspan x="{tx}" dy="16" font-size="12">{} {}</tspan></text>"#,
            ty - 3,
            escape(ja),
            escape(en),
            labels::amount_short(n.value)
        );
    }
    let note = "帯の幅は金額に比例。下の帯は戻る流れ・同じ列の中の流れ。 Band width ∝ value; the loops below carry value back or within a column.";
    let more = if more.is_empty() {
        String::new()
    } else {
        let total = more.iter().fold(0u64, |a, v| a.saturating_add(*v));
        format!(
            "ほかの小さな戻る流れ {n} 件（計 {t}）は flows.csv に。 {n} smaller ones ({t} in all) are in flows.csv.",
            n = more.len(),
            t = labels::amount_short(total)
        )
    };
    let w: usize = withheld.values().sum();
    let why = if w > 0 {
        let why: Vec<String> = withheld
            .iter()
            .map(|(r, c)| format!("{} ×{c}", labels::withheld(r)))
            .collect();
        format!(
            "非公開 {w} 件は描画していません ({w} withheld, not drawn): {}",
            why.join(", ")
        )
    } else {
        String::new()
    };
    if sums.is_empty() {
        let _ = writeln!(
            body,
            r#"<text x="{}" y="{}" text-anchor="middle" font-size="14">公開できる流れはありません no flows to publish</text>"#,
            WIDTH / 2,
            HEIGHT / 2
        );
    }
    format!(
        concat!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" class="chart sankey" data-chart="{name}" data-drawn="{drawn}" data-withheld="{w}" role="img" aria-label="{t}">"#,
            "\n<style>.halo{{paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round;fill:#282828}}</style>\n",
            r##"<rect width="{W}" height="{H}" fill="#FFFFFF"/>"##,
            "\n",
            r##"<text x="12" y="26" font-size="15" fill="#282828">{t}</text>"##,
            "\n{body}",
            r##"<text x="12" y="{ny}" font-size="11" fill="#555555">{note}</text>"##,
            "\n",
            r##"<text x="12" y="{my}" font-size="11" fill="#555555">{more}</text>"##,
            "\n",
            r##"<text x="12" y="{wy}" font-size="11" fill="#96281E">{why}</text>"##,
            "\n</svg>\n"
        ),
        W = WIDTH,
        H = HEIGHT,
        name = escape(name),
        drawn = drawn,
        w = w,
        t = escape(title),
        body = body,
        ny = HEIGHT - 36,
        my = HEIGHT - 22,
        wy = HEIGHT - 8,
        note = note,
        more = escape(&more),
        why = escape(&why),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link<'a>(from: &'a str, to: &'a str, value: u64) -> Link<'a> {
        Link {
            from,
            to,
            value,
            withheld: None,
        }
    }

    /// The value and stroke width of every band, by (from, to).
    fn bands(svg: &str) -> BTreeMap<(String, String), (u64, i64)> {
        let attr = |t: &str, a: &str| {
            t.split(&format!(" {a}=\""))
                .nth(1)
                .and_then(|s| s.split('"').next())
                .unwrap_or("")
                .to_string()
        };
        svg.split("<path")
            .skip(1)
            .map(|t| {
                (
                    (attr(t, "data-from"), attr(t, "data-to")),
                    (
                        attr(t, "data-value").parse().unwrap_or(0),
                        attr(t, "data-width").parse().unwrap_or(-1),
                    ),
                )
            })
            .collect()
    }

    #[test]
    fn bands_are_as_wide_as_their_values_and_withheld_cells_are_not_drawn() {
        let cells = [
            link("issuer", "resident", 1_000_000),
            link("resident", "merchant:small_local", 400_000),
            link("resident", "merchant:small_local", 200_000), // another period
            link("resident", "merchant:large", 300_000),
            link("merchant:small_local", "redeemed", 500_000),
            link("resident", "resident", 100_000),
            link("merchant:large", "resident", 10_000),
            Link {
                from: "resident",
                to: "merchant:public",
                value: 0,
                withheld: Some("fewer than k merchants"),
            },
        ];
        let svg = sankey("coin-flows", "コインの流れ flows of coin", cells);
        let b = bands(&svg);
        assert_eq!(b.len(), 6, "{b:?}");
        assert!(
            !svg.contains("merchant:public"),
            "a withheld cell was drawn"
        );
        assert_eq!(
            b[&("resident".into(), "merchant:small_local".into())].0,
            600_000,
            "periods are summed"
        );
        let w = |f: &str, t: &str| b[&(f.to_string(), t.to_string())].1;
        assert!((w("issuer", "resident") - 10 * w("resident", "resident")).abs() <= 10);
        assert!(
            (w("resident", "merchant:small_local") - 2 * w("resident", "merchant:large")).abs()
                <= 2
        );
        assert!(w("merchant:large", "resident") >= 1);
        // The loops (person to person, refunds) run under the columns.
        assert_eq!(svg.matches("class=\"band loop\"").count(), 2);
        assert!(svg.contains(r#"data-drawn="6" data-withheld="1""#));
        assert!(svg.contains("非公開 1 件は描画していません (1 withheld, not drawn): 加盟店が k 未満 (fewer than k merchants) ×1"));
        // Columns left to right: the issuer, residents, merchants, redeemed.
        let x = |g: &str| -> i64 {
            svg.split(&format!("data-group=\"{g}\""))
                .nth(1)
                .and_then(|s| s.split("x=\"").nth(1))
                .and_then(|s| s.split('"').next())
                .and_then(|v| v.parse().ok())
                .expect(g)
        };
        assert!(
            x("issuer") < x("resident")
                && x("resident") < x("merchant:large")
                && x("merchant:large") < x("redeemed")
        );
        assert_eq!(x("merchant:small_local"), x("merchant:large"));
        assert!(
            svg.contains(">住民</tspan>") && svg.contains(">redeemed for yen 500,000</tspan>"),
            "{svg}"
        );
        assert_eq!(
            sankey("coin-flows", "コインの流れ flows of coin", cells),
            svg
        );
    }

    #[test]
    fn nothing_to_draw_and_odd_groups() {
        let svg = sankey("e", "空 empty", []);
        assert!(svg.contains("no flows to publish") && svg.contains(r#"data-drawn="0""#));
        let odd = [
            link("<b>", "x&y", u64::MAX),
            link("x&y", "<b>", u64::MAX),
            link("issuer", "issuer", 5),
        ];
        let svg = sankey("o", "o", odd);
        assert!(!svg.contains("<b>") && svg.contains("&lt;b&gt;"));
        assert_eq!(bands(&svg).len(), 3);
        // Six flows back: the four largest are loops, the note counts the rest.
        let back = [
            "resident",
            "coordinator",
            "institution",
            "escrow",
            "merchant:large",
            "merchant:public",
        ];
        let many: Vec<Link> = back
            .iter()
            .zip(1u64..)
            .map(|(g, i)| link(g, "resident", i * 1000))
            .collect();
        let svg = sankey("m", "m", many);
        assert_eq!(svg.matches("class=\"band loop\"").count(), 4);
        assert!(
            svg.contains("2 smaller ones (3,000 in all) are in flows.csv"),
            "{svg}"
        );
        assert!(
            !svg.contains(r#"data-from="coordinator" data-to="resident""#),
            "the smallest are not drawn"
        );
    }
}
