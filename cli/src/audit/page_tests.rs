use super::*;

fn fig(period: &str, subject: &str, metric: &str, v: Result<u64, &str>) -> Figure {
    Figure {
        period: period.into(),
        subject: subject.into(),
        metric: metric.into(),
        value: v.ok(),
        withheld: v.err().map(String::from),
    }
}

fn flow(period: &str, from: &str, to: &str, value: u64, withheld: Option<&str>) -> Flow {
    Flow {
        period: period.into(),
        asset: "coin".into(),
        from: from.into(),
        to: to.into(),
        value,
        withheld: withheld.map(String::from),
    }
}

fn meta() -> Meta {
    Meta {
        chain_id: "yui-town".into(),
        height: 1234,
        blocks: 1234,
        transactions: 56_789,
        k: 10,
    }
}

/// Two months of coin: May's public-facility total is withheld.
fn figures() -> Vec<Figure> {
    let mut f = Vec::new();
    for (p, charge, small, large, float) in [
        ("2025-04", 1_000_000, 300_000, 200_000, 480_000),
        ("2025-05", 2_000_000, 700_000, 500_000, 1_200_000),
    ] {
        f.push(fig(p, "coin", "issued_charge", Ok(charge)));
        f.push(fig(p, "coin", "issued_bonus", Ok(charge / 10)));
        f.push(fig(p, "coin", "spent_small_local", Ok(small)));
        f.push(fig(p, "coin", "spent_large", Ok(large)));
        f.push(fig(p, "coin", "spent", Ok(small + large + 20_000)));
        f.push(fig(p, "coin", "float_end", Ok(float)));
        f.push(fig(p, "coin", "utilisation_permille", Ok(520)));
        f.push(fig(p, "accounts", "reach", Ok(150)));
        f.push(fig(p, "jobs", "posted", Ok(12)));
    }
    f.push(fig("2025-04", "coin", "spent_public", Ok(20_000)));
    f.push(fig(
        "2025-05",
        "coin",
        "spent_public",
        Err("fewer than k merchants"),
    ));
    f
}

#[test]
fn the_page_shows_the_figures_as_dates_and_withheld_ones_as_withheld() {
    let flows = [
        flow("2025-04", "issuer", "resident", 1_100_000, None),
        flow("2025-04", "resident", "merchant:small_local", 300_000, None),
        flow(
            "2025-05",
            "resident",
            "merchant:public",
            987_654,
            Some("fewer than k merchants"),
        ),
    ];
    let page = build(&meta(), &figures(), &flows).expect("page");
    let h = &page.html;
    assert!(h.starts_with("<!DOCTYPE html>") && h.contains("<html lang=\"ja\">"));
    assert!(
        h.contains("2025年4月 (2025-04) – 2025年5月 (2025-05)"),
        "the span as dates"
    );
    assert!(h.contains("<tr><th>2025年5月 (2025-05)</th>"));
    // The withheld figure: in the table as withheld with its reason, never a number.
    assert!(h.contains(r#"<td class="withheld" title="withheld: 加盟店が k 未満 (fewer than k merchants)">非公開<sup>※1</sup></td>"#));
    assert!(h.contains("非公開 = withheld: ※1 加盟店が k 未満 (fewer than k merchants)."));
    // The withheld flow cell is counted, not drawn, even if it carried a value.
    for leak in ["987654", "987,654", "98.8万", "99万"] {
        assert!(!h.contains(leak), "{leak} leaked");
        assert!(
            page.charts.iter().all(|(_, s)| !s.contains(leak)),
            "{leak} leaked into a chart"
        );
    }
    assert!(!h.contains("merchant:public"), "a withheld cell was drawn");
    // The charts, inline and by name.
    let names: Vec<&str> = page.charts.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "coin-flows-between-groups",
            "coin-issued-by-source",
            "coin-spent-by-merchant-class",
            "coin-flows",
            "coin-float",
            "coin-utilisation-velocity",
            "reach",
            "jobs"
        ]
    );
    for (n, svg) in &page.charts {
        assert!(h.contains(svg.as_str()), "{n} is not inline");
        assert!(svg.contains(&format!("data-chart=\"{n}\"")));
    }
    let by_class = &page.charts[2].1;
    assert!(
        by_class.contains(r#"data-drawn="5" data-withheld="1""#),
        "{}",
        &by_class[..300]
    );
    assert!(by_class.contains("(1 withheld, not drawn)"));
    assert!(
        by_class.contains("地元の小規模店 small local shops")
            && by_class.contains("\n5月\n</text>")
    );
    // Headline cards: totals, the float at the last period's end.
    assert!(
        h.contains("<div class=\"label\">発行 issued</div><div class=\"value\">330万</div>"),
        "{h}"
    );
    assert!(h.contains("2025年5月末 at end of 2025-05"));
    // Self-contained: nothing to fetch.
    let without_ns = h.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    for fetch in [
        "http:",
        "https:",
        "<script",
        "src=",
        "@import",
        "url(",
        "<link",
        "@font-face",
    ] {
        assert!(!without_ns.contains(fetch), "the page fetches: {fetch}");
    }
    // The tables as CSV.
    let csv = |n: &str| &page.tables.iter().find(|(x, _)| x == n).expect(n).1;
    assert!(csv("coin.csv").starts_with("period,issued_charge,issued_bonus,"));
    assert!(
        csv("coin.csv")
            .lines()
            .any(|l| l.starts_with("2025-05,2000000,200000,,700000,500000,withheld,"))
    );
    assert!(csv("jobs.csv").contains("2025-04,12,"));
    assert_eq!(
        build(&meta(), &figures(), &flows).expect("page").html,
        *h,
        "deterministic"
    );
}

#[test]
fn the_page_is_written_with_its_charts_and_tables() {
    let dir = tempfile_dir();
    let written = write(&dir, &meta(), &figures(), &[]).expect("written");
    assert!(dir.join("report.html").is_file());
    let svg =
        std::fs::read_to_string(dir.join("charts/coin-spent-by-merchant-class.svg")).expect("svg");
    assert!(svg.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg "));
    assert!(svg.contains("xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(dir.join("tables/coin.csv").is_file() && dir.join("tables/jobs.csv").is_file());
    assert_eq!(written.len(), 7 + 2 + 1, "{written:?}");
    let html = std::fs::read_to_string(dir.join("report.html")).expect("html");
    assert!(html.contains("No flows matrix in this report."));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn odd_labels_are_escaped_and_an_empty_report_builds() {
    let mut f = figures();
    f.push(fig("2025-04", "<script>", "issued_charge", Ok(5)));
    f.push(fig("2025-04", "<script>", "float_end", Ok(5)));
    f.push(fig("not-a-period", "coin", "spent", Ok(1)));
    let mut m = meta();
    m.chain_id = "a\"b<c>".into();
    let page = build(&m, &f, &[]).expect("page");
    assert!(!page.html.contains("<script"));
    assert!(page.html.contains("a&quot;b&lt;c&gt;"));
    assert!(
        page.charts
            .iter()
            .any(|(n, _)| n == "_script_-issued-by-source")
    );
    let empty = build(&meta(), &[], &[]).expect("empty page");
    assert!(empty.html.contains("</html>") && empty.charts.is_empty());
}

fn tempfile_dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("yui-page-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}
