//! The accounts table: every account the chain knows at the export's end,
//! with its roles — what tells a merchant (and its class) from a resident,
//! the city from a coordinator — its genesis name, and the block that
//! created it. The source is the account records each block's verified
//! write set changes (`a` keys).
//!
//! In a pseudonymous export names are left out, and a merchant class held
//! by fewer than [`K_DEFAULT`] merchants is shown only as `merchant`, so
//! that a class of a few shops does not point at them.

use std::collections::BTreeMap;

use yui_ledger::state::{Account, keys};
use yui_ledger::{Address, MerchantClass, Role, WriteSet};

use super::names::Names;
use super::rows::{Column, Table, Type, Value};
use crate::audit::flows::K_DEFAULT;

pub const ACCOUNTS: Table = Table {
    name: "accounts",
    columns: &[
        Column {
            name: "account",
            ty: Type::Utf8,
            nullable: false,
        },
        Column {
            name: "name",
            ty: Type::Utf8,
            nullable: true,
        },
        Column {
            name: "roles",
            ty: Type::Utf8,
            nullable: false,
        },
        Column {
            name: "merchant_class",
            ty: Type::Utf8,
            nullable: true,
        },
        Column {
            name: "first_height",
            ty: Type::Int64,
            nullable: false,
        },
    ],
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRow {
    pub account: String,
    pub name: Option<String>,
    /// Role labels, comma-separated, in the record's order: `issuer:coin`,
    /// `merchant:small_local`, `coordinator`, `credential_issuer`; empty
    /// for an account with none (a resident).
    pub roles: String,
    pub merchant_class: Option<&'static str>,
    /// The block whose writes created the record (0: the genesis).
    pub first_height: u64,
}

impl AccountRow {
    pub fn values(self) -> Vec<Value> {
        vec![
            Value::Text(self.account),
            self.name.map_or(Value::Null, Value::Text),
            Value::Text(self.roles),
            self.merchant_class
                .map_or(Value::Null, |c| Value::Text(c.into())),
            Value::Int(i64::try_from(self.first_height).unwrap_or(i64::MAX)),
        ]
    }
}

/// Every account record seen, with the height that created it.
#[derive(Default)]
pub struct Accounts {
    known: BTreeMap<Address, (Account, u64)>,
}

impl Accounts {
    /// The account records `writes` (of block `height`) sets.
    pub fn apply(&mut self, height: u64, writes: &WriteSet) -> anyhow::Result<()> {
        let tag = keys::account(&Address::ZERO)
            .first()
            .copied()
            .unwrap_or_default();
        for (k, v) in writes {
            let (Some(rest), Some(bytes)) = (k.strip_prefix(&[tag]), v) else {
                continue;
            };
            let a: Address = borsh::from_slice(rest)
                .map_err(|e| anyhow::anyhow!("an account key that does not decode: {e}"))?;
            let acct: Account = borsh::from_slice(bytes)
                .map_err(|e| anyhow::anyhow!("the account record of {a}: {e}"))?;
            let first = self.known.get(&a).map_or(height, |(_, h)| *h);
            self.known.insert(a, (acct, first));
        }
        Ok(())
    }

    /// The rows, by account as named.
    pub fn rows(&self, names: &mut Names) -> Vec<AccountRow> {
        let pseudonymous = names.is_pseudonymous();
        let mut per_class: BTreeMap<MerchantClass, usize> = BTreeMap::new();
        for (acct, _) in self.known.values() {
            if let Some(c) = acct.merchant_class() {
                *per_class.entry(c).or_default() += 1;
            }
        }
        // A class of fewer than k merchants is not shown in a pseudonymous copy.
        let shown = |c: MerchantClass| {
            !pseudonymous || per_class.get(&c).copied().unwrap_or(0) >= K_DEFAULT
        };
        let mut rows: Vec<AccountRow> = self
            .known
            .iter()
            .map(|(a, (acct, first))| {
                let roles: Vec<String> = acct
                    .roles
                    .iter()
                    .map(|r| match r {
                        Role::Merchant(c) if !shown(*c) => "merchant".to_string(),
                        r => super::rows::role(r),
                    })
                    .collect();
                AccountRow {
                    account: names.account(a),
                    name: if pseudonymous || acct.name.is_empty() {
                        None
                    } else {
                        Some(acct.name.clone())
                    },
                    roles: roles.join(","),
                    merchant_class: acct
                        .merchant_class()
                        .filter(|c| shown(*c))
                        .map(|c| c.as_str()),
                    first_height: *first,
                }
            })
            .collect();
        rows.sort_by(|a, b| a.account.cmp(&b.account));
        rows
    }
}
