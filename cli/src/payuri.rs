//! The `yui:` payment URI: a payment request a merchant presents (on a shop
//! terminal's screen as a QR code, on a printed bill) and a resident's wallet
//! pays. Specified in docs/payment-uri.md:
//!
//! ```text
//! yui:<merchant, 64 hex>?chain=<chain id>&invoice=<invoice id>&amount=<units>[&assets=<a>,<b>][&label=<shop name>]
//! ```
//!
//! Values are percent-encoded UTF-8. Parsing refuses anything it does not
//! fully understand (an unknown or repeated parameter, a malformed escape, a
//! value the ledger would refuse), so a wallet never pays a request it read
//! differently from the merchant who wrote it.

use std::fmt;

use yui_ledger::{Address, Operation, limits};

/// The scheme, without its colon.
pub const SCHEME: &str = "yui";
/// Longest URI accepted, in bytes.
pub const URI_LEN_MAX: usize = 2048;
/// Longest shop label, in characters.
pub const LABEL_CHARS_MAX: usize = 64;

/// A merchant's payment request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayRequest {
    /// The merchant paid.
    pub merchant: Address,
    /// The chain the request is for; a wallet refuses to pay it on another.
    pub chain_id: String,
    /// The invoice id the payment names (1..=64 bytes).
    pub invoice: String,
    /// Units to pay (positive).
    pub amount: u64,
    /// Assets to draw from, in order; empty: the assets' own order.
    pub assets: Vec<String>,
    /// The shop's name for people; never used for payment.
    pub label: Option<String>,
}

/// Why a URI is not a payment request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UriError(String);

impl fmt::Display for UriError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not a valid yui: payment request: {}", self.0)
    }
}

impl std::error::Error for UriError {}

fn err<T>(why: impl Into<String>) -> Result<T, UriError> {
    Err(UriError(why.into()))
}

impl PayRequest {
    /// Checks the fields against the rules the ledger applies to a payment
    /// and the URI's own (label length, no control characters).
    pub fn check(&self) -> Result<(), UriError> {
        id("chain", &self.chain_id)?;
        id("invoice", &self.invoice)?;
        if self.amount == 0 {
            return err("amount must be positive");
        }
        if self.assets.len() > limits::PAY_ASSETS_MAX {
            return err(format!(
                "at most {} assets may be listed, not {}",
                limits::PAY_ASSETS_MAX,
                self.assets.len()
            ));
        }
        for a in &self.assets {
            id("asset", a)?;
            if a.contains(',') {
                return err(format!("asset {a:?} contains a comma"));
            }
        }
        if let Some(l) = &self.label {
            if l.is_empty() || l.chars().count() > LABEL_CHARS_MAX {
                return err(format!("label must be 1..={LABEL_CHARS_MAX} characters"));
            }
            if l.chars().any(char::is_control) {
                return err("label contains a control character");
            }
        }
        Ok(())
    }

    /// Parses a `yui:` URI.
    pub fn parse(uri: &str) -> Result<Self, UriError> {
        if uri.len() > URI_LEN_MAX {
            return err(format!("longer than {URI_LEN_MAX} bytes"));
        }
        let Some((scheme, rest)) = uri.split_once(':') else {
            return err("it does not start with \"yui:\"");
        };
        if !scheme.eq_ignore_ascii_case(SCHEME) {
            return err(format!(
                "the scheme is {scheme:?}, not \"yui\" (a Yui payment request starts with \"yui:\")"
            ));
        }
        if rest.contains('#') {
            return err("a fragment (#…) is not allowed");
        }
        let (merchant, query) = rest.split_once('?').unwrap_or((rest, ""));
        if merchant.len() != 64 || !merchant.bytes().all(|b| b.is_ascii_hexdigit()) {
            return err(format!(
                "the merchant must be an address of 64 hex characters, found {:?}",
                short(merchant)
            ));
        }
        let merchant: Address = merchant.parse().map_err(UriError)?;
        let (mut chain, mut invoice, mut amount, mut assets, mut label) =
            (None, None, None, None, None);
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let slot = match k {
                "chain" => &mut chain,
                "invoice" => &mut invoice,
                "amount" => &mut amount,
                "assets" => &mut assets,
                "label" => &mut label,
                _ => {
                    return err(format!(
                        "unknown parameter {:?} (known: chain, invoice, amount, assets, label)",
                        short(k)
                    ));
                }
            };
            if slot.is_some() {
                return err(format!("parameter {k:?} appears twice"));
            }
            *slot = Some(decode(k, v)?);
        }
        let need = |v: Option<String>, k: &str| match v {
            Some(v) => Ok(v),
            None => err(format!("the {k} parameter is missing")),
        };
        let amount = need(amount, "amount")?;
        if amount.is_empty()
            || !amount.bytes().all(|b| b.is_ascii_digit())
            || (amount.len() > 1 && amount.starts_with('0'))
        {
            return err(format!(
                "amount {:?} is not a whole number of units (digits, no leading zero)",
                short(&amount)
            ));
        }
        let amount: u64 = amount
            .parse()
            .or_else(|_| err(format!("amount {amount} is too large")))?;
        let assets = match assets {
            None => Vec::new(),
            Some(a) if a.is_empty() => return err("assets is empty (leave it out instead)"),
            Some(a) => a.split(',').map(str::to_string).collect(),
        };
        let r = PayRequest {
            merchant,
            chain_id: need(chain, "chain")?,
            invoice: need(invoice, "invoice")?,
            amount,
            assets,
            label,
        };
        r.check()?;
        Ok(r)
    }

    /// The URI, in its one canonical form: lowercase hex, the parameters in
    /// the order chain, invoice, amount, assets, label, and only unreserved
    /// characters left unescaped.
    pub fn to_uri(&self) -> Result<String, UriError> {
        self.check()?;
        let mut s = format!(
            "{SCHEME}:{}?chain={}&invoice={}&amount={}",
            self.merchant.to_hex(),
            encode(&self.chain_id),
            encode(&self.invoice),
            self.amount
        );
        if !self.assets.is_empty() {
            let list: Vec<String> = self.assets.iter().map(|a| encode(a)).collect();
            s.push_str("&assets=");
            s.push_str(&list.join(","));
        }
        if let Some(l) = &self.label {
            s.push_str("&label=");
            s.push_str(&encode(l));
        }
        Ok(s)
    }

    /// The operation that pays this request on the chain `chain_id` (the
    /// node's); refused when the request names another chain.
    pub fn operation(&self, chain_id: &str) -> Result<Operation, UriError> {
        if self.chain_id != chain_id {
            return err(format!(
                "it is for chain {:?}, but the node serves {chain_id:?}",
                self.chain_id
            ));
        }
        Ok(Operation::Pay {
            merchant: self.merchant,
            invoice_id: self.invoice.clone(),
            amount: self.amount,
            assets: self.assets.clone(),
        })
    }
}

/// The payment `yui pay` makes: from `--uri` alone, or from `--merchant`,
/// `--invoice` and `--amount` (with `--assets`).
pub fn pay_operation(
    chain_id: &str,
    uri: Option<&str>,
    merchant: Option<&str>,
    invoice: Option<String>,
    amount: Option<u64>,
    assets: Vec<String>,
) -> anyhow::Result<Operation> {
    if let Some(u) = uri {
        return Ok(PayRequest::parse(u)?.operation(chain_id)?);
    }
    let (Some(m), Some(invoice_id), Some(amount)) = (merchant, invoice, amount) else {
        anyhow::bail!("give --uri, or --merchant, --invoice and --amount");
    };
    Ok(Operation::Pay {
        merchant: crate::keyfile::address(m)?,
        invoice_id,
        amount,
        assets,
    })
}

fn id(what: &str, s: &str) -> Result<(), UriError> {
    if s.is_empty() || s.len() > limits::ID_LEN_MAX {
        return err(format!(
            "{what} must be 1..={} bytes, not {}",
            limits::ID_LEN_MAX,
            s.len()
        ));
    }
    Ok(())
}

/// The start of untrusted text, for an error message.
fn short(s: &str) -> String {
    s.chars().take(24).collect()
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes a percent-encoded value of parameter `k`: every `%` must start an
/// escape of two hex digits and the bytes must be UTF-8. `+` is a plus sign.
fn decode(k: &str, v: &str) -> Result<String, UriError> {
    let b = v.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = b
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok());
            match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                Some(x) => out.push(x),
                None => return err(format!("{k}: '%' must be followed by two hex digits")),
            }
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).or_else(|_| err(format!("{k} is not UTF-8 once decoded")))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const BAKERY: &str = "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8";

    fn request() -> PayRequest {
        PayRequest {
            merchant: BAKERY.parse().unwrap(),
            chain_id: "yui-devnet".into(),
            invoice: "SB-9".into(),
            amount: 250,
            assets: vec![],
            label: None,
        }
    }

    #[test]
    fn round_trip() {
        let r = request();
        let u = r.to_uri().unwrap();
        assert_eq!(
            u,
            format!("yui:{BAKERY}?chain=yui-devnet&invoice=SB-9&amount=250")
        );
        assert_eq!(PayRequest::parse(&u).unwrap(), r);

        let full = PayRequest {
            invoice: "レシート 12/3 #7&x=1".into(),
            assets: vec!["point".into(), "coin".into()],
            label: Some("さくらベーカリー Sakura Bakery 100%".into()),
            ..request()
        };
        let u = full.to_uri().unwrap();
        assert!(u.is_ascii(), "{u}");
        assert!(u.contains("&assets=point,coin&label=%E3%81%95"), "{u}");
        assert!(!u.contains(' ') && !u.contains('#'), "{u}");
        assert_eq!(PayRequest::parse(&u).unwrap(), full);
        // Parameters in any order, uppercase scheme and hex, lowercase escapes.
        let shuffled = format!(
            "YUI:{}?amount=250&label=Sakura%20bakery&invoice=SB-9&chain=yui-devnet",
            BAKERY.to_uppercase()
        );
        let p = PayRequest::parse(&shuffled).unwrap();
        assert_eq!(p.label.as_deref(), Some("Sakura bakery"));
        assert_eq!(p.merchant, request().merchant);
        assert_eq!(
            PayRequest::parse(&format!(
                "yui:{BAKERY}?chain=yui-devnet&invoice=SB%2d9&amount=250"
            ))
            .unwrap(),
            request()
        );
        // `+` is a plus sign, not a space.
        let plus =
            PayRequest::parse(&format!("yui:{BAKERY}?chain=c&invoice=a+b&amount=1")).unwrap();
        assert_eq!(plus.invoice, "a+b");
    }

    #[test]
    fn the_operation_is_a_payment_on_the_same_chain_only() {
        let op = request().operation("yui-devnet").unwrap();
        assert_eq!(
            op,
            Operation::Pay {
                merchant: BAKERY.parse().unwrap(),
                invoice_id: "SB-9".into(),
                amount: 250,
                assets: vec![],
            }
        );
        let e = request().operation("yui-main").unwrap_err().to_string();
        assert!(e.contains("for chain \"yui-devnet\""), "{e}");
    }

    #[test]
    fn bad_inputs_are_refused_with_a_reason() {
        let ok = "?chain=c&invoice=i&amount=5";
        let long = "x".repeat(65);
        let cases: Vec<(String, &str)> = vec![
            ("".into(), "does not start"),
            (format!("bitcoin:{BAKERY}{ok}"), "scheme is \"bitcoin\""),
            (format!("yui:{}{ok}", &BAKERY[..62]), "64 hex"),
            (format!("yui:{}zz{ok}", &BAKERY[..62]), "64 hex"),
            (format!("yui:{BAKERY}{ok}#frag"), "fragment"),
            (
                format!("yui:{BAKERY}?chain=c&invoice=i"),
                "amount parameter is missing",
            ),
            (
                format!("yui:{BAKERY}?invoice=i&amount=5"),
                "chain parameter is missing",
            ),
            (
                format!("yui:{BAKERY}?chain=c&amount=5"),
                "invoice parameter is missing",
            ),
            (format!("yui:{BAKERY}{ok}&amount=6"), "appears twice"),
            (
                format!("yui:{BAKERY}{ok}&tip=5"),
                "unknown parameter \"tip\"",
            ),
            (
                format!("yui:{BAKERY}?chain=c&invoice=i&amount=0"),
                "positive",
            ),
            (
                format!("yui:{BAKERY}?chain=c&invoice=i&amount=007"),
                "leading zero",
            ),
            (
                format!("yui:{BAKERY}?chain=c&invoice=i&amount=-5"),
                "whole number",
            ),
            (
                format!("yui:{BAKERY}?chain=c&invoice=i&amount=1.5"),
                "whole number",
            ),
            (
                format!("yui:{BAKERY}?chain=c&invoice=i&amount=18446744073709551616"),
                "too large",
            ),
            (
                format!("yui:{BAKERY}?chain=c&invoice=&amount=5"),
                "invoice must be 1..=64",
            ),
            (
                format!("yui:{BAKERY}?chain=c&invoice={long}&amount=5"),
                "invoice must be 1..=64",
            ),
            (
                format!("yui:{BAKERY}?chain=c&invoice=%zz&amount=5"),
                "two hex digits",
            ),
            (
                format!("yui:{BAKERY}?chain=c&invoice=%4&amount=5"),
                "two hex digits",
            ),
            (
                format!("yui:{BAKERY}?chain=c&invoice=%ff&amount=5"),
                "not UTF-8",
            ),
            (format!("yui:{BAKERY}{ok}&assets="), "assets is empty"),
            (
                format!("yui:{BAKERY}{ok}&assets=coin,,point"),
                "asset must be 1..=64",
            ),
            (
                format!("yui:{BAKERY}{ok}&assets=a,b,c,d,e,f,g,h,i"),
                "at most 8",
            ),
            (format!("yui:{BAKERY}{ok}&label="), "label must be"),
            (format!("yui:{BAKERY}{ok}&label=a%0Ab"), "control character"),
            (format!("yui:{BAKERY}{}", "&x".repeat(1100)), "longer than"),
        ];
        for (uri, why) in cases {
            let e = PayRequest::parse(&uri).unwrap_err().to_string();
            assert!(e.contains(why), "{uri}: {e}");
            assert!(e.starts_with("not a valid yui: payment request"), "{e}");
        }
        // The formatter refuses what the parser would.
        let bad = PayRequest {
            amount: 0,
            ..request()
        };
        assert!(bad.to_uri().is_err());
    }
}
