//! Replays every committed corpus file through its target, without
//! instrumentation: how CI runs each fuzz target briefly on its corpus.

use std::path::Path;

#[test]
fn every_corpus_file_passes_its_target() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let mut total = 0;
    for (name, target) in yui_fuzz::TARGETS {
        let dir = root.join(name);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .expect("a corpus folder per target (fuzz/corpus/<target>)")
            .map(|e| e.expect("a corpus entry").path())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "corpus {name} is empty");
        for f in &files {
            // A file a running fuzzer has just reduced away is skipped.
            let Ok(data) = std::fs::read(f) else {
                continue;
            };
            target(&data);
        }
        total += files.len();
    }
    yui_fuzz::node::remove_home();
    assert!(total >= yui_fuzz::TARGETS.len());
}

#[test]
fn the_seeds_are_in_the_corpora() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let repo = root.parent().expect("the repository");
    // Not the town contracts' `.wasm`: another test may be building them.
    for s in yui_fuzz::seeds::seeds(repo, false) {
        let path = root.join("corpus").join(s.target).join(&s.name);
        let committed = std::fs::read(&path).unwrap_or_default();
        assert_eq!(
            committed,
            s.bytes,
            "{} differs from its seed",
            path.display()
        );
    }
}

#[test]
fn the_supply_seed_moves_value() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let data = std::fs::read(root.join("corpus/supply/seed-history")).expect("the seed");
    let stats = yui_fuzz::supply::run(&data);
    // Every planned operation is included and succeeds: the seed takes the
    // fuzzer past the refusals into the rules that move value.
    assert_eq!(stats.blocks, 5);
    assert_eq!(stats.included, 19, "{stats:?}");
    assert_eq!(stats.succeeded, 19, "{stats:?}");
}

#[test]
fn the_core_seed_commits_across_a_restart() {
    assert_eq!(yui_fuzz::core::run(&yui_fuzz::seeds::CORE_COMMIT), 2);
}

/// The fair seed's six heights: every validator ends at height 7.
#[test]
fn on_the_fair_seed_every_validator_commits() {
    assert_eq!(yui_fuzz::net_core::run(&yui_fuzz::net_core::fair_seed()), 7);
}
