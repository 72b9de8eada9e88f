//! The devnet's town: `yui_ledger::town::Town` (its people, shops and
//! institutions, their roles and the town's money), with a key file for each
//! person, and the genesis that gives the keys their roles.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use yui_cli::{keyfile, now_ms};
use yui_ledger::{Address, Genesis, Keypair};

pub struct Town {
    dir: PathBuf,
    keys: BTreeMap<String, Keypair>,
    genesis_time_ms: u64,
    /// Each node's name and gRPC address, once started.
    pub endpoints: Vec<(String, String)>,
}

impl Town {
    /// Makes a key for everyone (files in `<dir>/keys`, mode 0600).
    pub fn create(dir: &Path) -> anyhow::Result<Self> {
        let kdir = dir.join("keys");
        std::fs::create_dir_all(&kdir)?;
        let mut keys = BTreeMap::new();
        for name in yui_ledger::town::Town::new().names() {
            let k = keyfile::generate()?;
            keyfile::write(&kdir.join(format!("{name}.json")), &k)?;
            keys.insert(name.to_string(), k);
        }
        Ok(Self {
            dir: dir.to_path_buf(),
            keys,
            genesis_time_ms: now_ms(),
            endpoints: Vec::new(),
        })
    }

    pub fn key(&self, name: &str) -> &Keypair {
        // Every name the devnet uses is a person of the town or a node.
        &self.keys[name]
    }

    pub fn name_of(&self, addr: &[u8]) -> String {
        self.keys
            .iter()
            .find(|(_, k)| k.address().0.as_slice() == addr)
            .map_or_else(
                || hex::encode(addr).chars().take(8).collect(),
                |(n, _)| n.clone(),
            )
    }

    /// The validators of this devnet.
    pub fn validator_names(&self) -> Vec<String> {
        ["city", "chamber", "coord-kita", "coord-minami"]
            .map(String::from)
            .to_vec()
    }

    /// Gives `name` this key (and its key file).
    pub fn set_key(&mut self, name: &str, k: Keypair) -> anyhow::Result<()> {
        let path = self.dir.join("keys").join(format!("{name}.json"));
        if path.exists() {
            std::fs::remove_file(&path)?;
        }
        keyfile::write(&path, &k)?;
        self.keys.insert(name.to_string(), k);
        Ok(())
    }

    /// Uses the key `yui-node init` made for a validator as that person's key.
    pub fn adopt_node_key(&mut self, name: &str, home: &Path) -> anyhow::Result<()> {
        let k = keyfile::read(&home.join("node_key.json"))?;
        self.set_key(name, k)
    }

    pub fn festival_expiry_ms(&self) -> u64 {
        yui_ledger::town::Town::festival_expiry_ms(self.genesis_time_ms)
    }

    /// The town's genesis with these keys and the devnet's validators.
    pub fn genesis(&self) -> anyhow::Result<Genesis> {
        let a = |n: &str| self.key(n).address();
        let names = self.validator_names();
        let validators: Vec<(&str, Address)> = names.iter().map(|n| (n.as_str(), a(n))).collect();
        let g = yui_ledger::town::Town::new().genesis(
            a,
            &validators,
            "yui-devnet",
            self.genesis_time_ms,
        );
        g.validate().map_err(|e| anyhow::anyhow!(e))?;
        Ok(g)
    }
}
