//! The words and numbers of the report page: bilingual labels (Japanese
//! with an English gloss), periods shown as dates, and amounts in the
//! units a town's finance office reads (万 = 10,000, 億 = 100,000,000).

/// A label in Japanese with its English gloss.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Label {
    pub ja: &'static str,
    pub en: &'static str,
}

impl Label {
    const fn new(ja: &'static str, en: &'static str) -> Self {
        Self { ja, en }
    }

    /// "発行 issued".
    pub fn both(&self) -> String {
        format!("{} {}", self.ja, self.en)
    }
}

/// The label of a metric of `figures` (docs/metrics.md).
pub fn metric(m: &str) -> Label {
    match m {
        "issued_charge" => Label::new("発行・チャージ", "issued: charge"),
        "issued_bonus" => Label::new("発行・特典", "issued: bonus"),
        "issued_grant" => Label::new("発行・交付", "issued: grant"),
        "issued_contract" => Label::new("発行・契約", "issued: contract"),
        "issued" => Label::new("発行", "issued"),
        "spent_small_local" => Label::new("地元の小規模店", "small local shops"),
        "spent_large" => Label::new("大型店", "large stores"),
        "spent_public" => Label::new("公共施設", "public facilities"),
        "spent" => Label::new("加盟店での利用", "spent at merchants"),
        "p2p" => Label::new("個人間送金", "person to person"),
        "refunds" => Label::new("返金", "refunds"),
        "redeemed" => Label::new("換金", "redeemed"),
        "redeem_fees" => Label::new("換金手数料", "redemption fees"),
        "breakage" => Label::new("失効", "breakage"),
        "burned" => Label::new("償却", "burned"),
        "merchant_respend" => Label::new("加盟店の再利用", "merchant re-spend"),
        "float_end" => Label::new("未使用残高", "float (outstanding)"),
        "holders_end" => Label::new("保有者数", "holders"),
        "velocity_permille" => Label::new("回転率", "velocity"),
        "utilisation_permille" => Label::new("利用率", "utilisation"),
        "local_share_permille" => Label::new("地元店シェア", "local share"),
        "merchant_respend_permille" => Label::new("再利用率", "merchant re-spend rate"),
        "reach" => Label::new("利用者数", "accounts that paid or sent"),
        "posted" => Label::new("依頼", "posted"),
        "completed" => Label::new("完了", "completed"),
        "disputed" => Label::new("異議", "disputed"),
        "timed_out" => Label::new("期限切れ", "timed out"),
        "cancelled" => Label::new("取消", "cancelled"),
        "hours_to_completion_mean" => Label::new("完了までの平均時間", "mean hours to completion"),
        _ => Label::new("", ""),
    }
}

/// A metric's label for display: the bilingual label, or the metric's own
/// name when it has none.
pub fn metric_text(m: &str) -> String {
    let l = metric(m);
    if l.ja.is_empty() {
        m.to_string()
    } else {
        l.both()
    }
}

/// The label of an asset of the town (the asset's id when it has none).
pub fn asset(a: &str) -> String {
    match a {
        "coin" => "コイン coin".into(),
        "point" => "ポイント point".into(),
        "voucher" => "プレミアム付商品券 voucher".into(),
        "yui" => "結ポイント yui (mutual aid)".into(),
        other => other.to_string(),
    }
}

/// The label of a group of the flows matrix ("resident", "merchant:large", …).
pub fn group(g: &str) -> String {
    match g {
        "issuer" => "発行者（市） issuer".into(),
        "operator" => "運営（手数料） operator".into(),
        "coordinator" => "コーディネーター coordinators".into(),
        "institution" => "団体 institutions".into(),
        "resident" | "residents" => "住民 residents".into(),
        "merchant:small_local" => "加盟店・地元小規模 small local shops".into(),
        "merchant:large" => "加盟店・大型 large stores".into(),
        "merchant:public" => "加盟店・公共 public facilities".into(),
        "escrow" => "ジョブ預託 job escrow".into(),
        "breakage" => "失効 breakage".into(),
        "redeemed" => "換金（円） redeemed for yen".into(),
        "burned" => "償却 burned".into(),
        "city" => "市役所 city hall".into(),
        other => other.to_string(),
    }
}

/// Why a figure is withheld, in both languages.
pub fn withheld(reason: &str) -> String {
    let ja = match reason {
        "fewer than k accounts" => "対象者が k 未満",
        "fewer than k merchants" => "加盟店が k 未満",
        "one merchant dominates" => "1店舗が80%超",
        "fewer than k holders" => "保有者が k 未満",
        "one account dominates" => "1口座が80%超",
        "complement of a withheld figure" => "非公開の値を逆算できる",
        _ => "",
    };
    if ja.is_empty() {
        reason.to_string()
    } else {
        format!("{ja} ({reason})")
    }
}

/// A reporting period, read back from its label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodLabel {
    Month {
        year: i16,
        month: i8,
    },
    /// An ISO week, from its Monday.
    Week {
        year: i16,
        week: i8,
        monday: jiff::civil::Date,
    },
    Day(jiff::civil::Date),
}

impl PeriodLabel {
    /// "2025-04", "2025-W14" or "2025-04-01"; None for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        if let Some((y, w)) = s.split_once("-W") {
            let (year, week) = (y.parse().ok()?, w.parse().ok()?);
            let monday = jiff::civil::ISOWeekDate::new(year, week, jiff::civil::Weekday::Monday)
                .ok()?
                .date();
            return Some(Self::Week { year, week, monday });
        }
        match s.len() {
            7 => {
                let (y, m) = s.split_once('-')?;
                let (year, month) = (y.parse().ok()?, m.parse().ok()?);
                jiff::civil::Date::new(year, month, 1).ok()?;
                Some(Self::Month { year, month })
            }
            10 => s.parse().ok().map(Self::Day),
            _ => None,
        }
    }

    /// The period as a date people read: "2025年4月", "2025年4月7日の週",
    /// "2025年4月1日".
    pub fn long(&self) -> String {
        match self {
            Self::Month { year, month } => format!("{year}年{month}月"),
            Self::Week { monday: d, .. } => {
                format!("{}年{}月{}日の週", d.year(), d.month(), d.day())
            }
            Self::Day(d) => format!("{}年{}月{}日", d.year(), d.month(), d.day()),
        }
    }

    /// A chart's axis label: the month or day, and the year on a second
    /// line where it starts (or at `first`).
    pub fn axis(&self, first: bool) -> (String, Option<String>) {
        let (main, year, new_year) = match self {
            Self::Month { year, month } => (format!("{month}月"), *year, *month == 1),
            Self::Week { monday: d, .. } => (
                format!("{}/{}", d.month(), d.day()),
                d.year(),
                d.month() == 1 && d.day() <= 7,
            ),
            Self::Day(d) => (
                format!("{}/{}", d.month(), d.day()),
                d.year(),
                d.month() == 1 && d.day() == 1,
            ),
        };
        (main, (first || new_year).then(|| format!("{year}年")))
    }

    /// What a period is, in both languages ("月 month").
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Month { .. } => "月別 monthly",
            Self::Week { .. } => "週別（月曜から） weekly, from Monday",
            Self::Day(_) => "日別 daily",
        }
    }
}

/// A period label as a date ("2025年4月 (2025-04)"); the label itself when
/// it is not a period.
pub fn period_long(p: &str) -> String {
    match PeriodLabel::parse(p) {
        Some(l) => format!("{} ({p})", l.long()),
        None => p.to_string(),
    }
}

/// `1234567` → "1,234,567".
pub fn thousands(v: u64) -> String {
    let s = v.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// An amount the way a finance office reads it: "3.2億", "1,234万",
/// "8,500" (one decimal below 10 of the unit).
pub fn amount_short(v: u64) -> String {
    const OKU: u64 = 100_000_000;
    const MAN: u64 = 10_000;
    let scaled = |unit: u64, suffix: &str| {
        if v < 10 * unit {
            let tenths = (u128::from(v) * 10 + u128::from(unit) / 2) / u128::from(unit);
            format!("{}.{}{suffix}", tenths / 10, tenths % 10)
        } else {
            let whole = (u128::from(v) + u128::from(unit) / 2) / u128::from(unit);
            format!("{}{suffix}", thousands(whole as u64))
        }
    };
    if v >= OKU {
        scaled(OKU, "億")
    } else if v >= 100 * MAN {
        scaled(MAN, "万")
    } else {
        thousands(v)
    }
}

/// Thousandths as a percentage with one decimal: 583 → "58.3%".
pub fn permille(v: u64) -> String {
    format!("{}.{}%", thousands(v / 10), v % 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_read_as_dates() {
        let m = PeriodLabel::parse("2025-04").expect("month");
        assert_eq!(m.long(), "2025年4月");
        assert_eq!(m.axis(true), ("4月".into(), Some("2025年".into())));
        assert_eq!(m.axis(false), ("4月".into(), None));
        let jan = PeriodLabel::parse("2026-01").expect("month");
        assert_eq!(jan.axis(false), ("1月".into(), Some("2026年".into())));
        let w = PeriodLabel::parse("2025-W15").expect("week");
        assert_eq!(w.long(), "2025年4月7日の週");
        assert_eq!(w.axis(false).0, "4/7");
        let d = PeriodLabel::parse("2025-04-01").expect("day");
        assert_eq!(d.long(), "2025年4月1日");
        assert_eq!(period_long("2025-04"), "2025年4月 (2025-04)");
        for bad in [
            "",
            "2025",
            "2025-13",
            "2025-W99",
            "x-W1",
            "2025-02-30",
            "accounts",
        ] {
            assert_eq!(PeriodLabel::parse(bad), None, "{bad}");
        }
        assert_eq!(period_long("total"), "total");
    }

    #[test]
    fn amounts_read_in_man_and_oku() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(amount_short(8_500), "8,500");
        assert_eq!(amount_short(999_999), "999,999");
        assert_eq!(amount_short(1_250_000), "125万");
        assert_eq!(amount_short(723_000_000), "7.2億");
        assert_eq!(amount_short(4_200_000_000), "42億");
        assert_eq!(amount_short(u64::MAX), "184,467,440,737億");
        assert_eq!(permille(583), "58.3%");
        assert_eq!(permille(1_204), "120.4%");
        assert_eq!(metric_text("spent"), "加盟店での利用 spent at merchants");
        assert_eq!(metric_text("new_metric"), "new_metric");
        assert_eq!(
            withheld("fewer than k merchants"),
            "加盟店が k 未満 (fewer than k merchants)"
        );
    }
}
