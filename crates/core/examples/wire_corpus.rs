//! Cross-checks pg-rollback's parse tree reader against libpg_query's own (upb) on every `.sql` file
//! under a directory, whole and statement by statement (the `wire` tests do the same on the repo's SQL):
//!
//! cargo run --release -p pg-rollback-core --example wire_corpus -- ../shared/corpus/histories
use pg_rollback_core::wire::{parse, parse_with_upb};
use std::path::{Path, PathBuf};

fn sql_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            sql_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "sql") {
            out.push(path);
        }
    }
}

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "../shared/corpus/histories".into());
    let mut files = Vec::new();
    sql_files(Path::new(&dir), &mut files);
    files.sort();
    let (mut inputs, mut differ) = (0usize, 0usize);
    for file in &files {
        let Ok(sql) = std::fs::read_to_string(file) else { continue };
        let pieces = pg_query::split_with_scanner(&sql).unwrap_or_default();
        for input in std::iter::once(sql.as_str()).chain(pieces) {
            inputs += 1;
            let show = |e| format!("{e:?}");
            if parse(input).map_err(show) != parse_with_upb(input).map_err(show) {
                differ += 1;
                eprintln!("differs: {} ({} bytes)", file.display(), input.len());
            }
        }
    }
    println!("{} files, {inputs} inputs (files and their statements): {differ} parse differently", files.len());
    std::process::exit(if differ == 0 && inputs > 0 { 0 } else { 1 });
}
