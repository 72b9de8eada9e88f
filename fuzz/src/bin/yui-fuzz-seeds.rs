//! Writes the fuzz corpora's seeds: `yui-fuzz-seeds [CORPUS_DIR]` (default
//! `fuzz/corpus`, run from the repository's root). Existing files are kept.

fn main() -> std::io::Result<()> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "fuzz/corpus".into());
    let dir = std::path::Path::new(&dir);
    let repo = std::env::current_dir()?;
    let mut written = 0;
    for s in yui_fuzz::seeds::seeds(&repo, true) {
        let folder = dir.join(s.target);
        std::fs::create_dir_all(&folder)?;
        std::fs::write(folder.join(&s.name), &s.bytes)?;
        written += 1;
    }
    println!("{written} seeds written under {}", dir.display());
    Ok(())
}
