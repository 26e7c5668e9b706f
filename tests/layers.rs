//! The house has no circles: the top-level modules of `src/` import each other in one direction.
//!
//! Reads every `crate::<module>` path in `src/` (in `use` lines and inline paths, comments
//! skipped), builds the graph of top-level modules, and fails on any cycle, naming it, and when a
//! module other than `app` imports `cli` (the command line is parsed once, and only `app` turns it
//! into work).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file under `src/` belongs to (`src/app/sync.rs` -> `app`).
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

/// Every `crate::<ident>` in `text`, outside `//` comments.
fn crate_paths(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for line in text.lines() {
        let code = match line.find("//") {
            Some(i) => &line[..i],
            None => line,
        };
        let mut rest = code;
        while let Some(i) = rest.find("crate::") {
            let before = rest[..i].chars().last();
            rest = &rest[i + "crate::".len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
                continue;
            }
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                found.insert(name);
            }
        }
    }
    found
}

/// The import graph of the top-level modules: module -> modules it names.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let modules: BTreeSet<String> = files
        .iter()
        .map(|f| module_of(&src, f))
        .filter(|m| m != "lib" && m != "main")
        .collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = modules
        .iter()
        .map(|m| (m.clone(), BTreeSet::new()))
        .collect();
    for file in &files {
        let from = module_of(&src, file);
        if from == "lib" || from == "main" {
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap();
        for to in crate_paths(&text) {
            if to != from && modules.contains(&to) {
                graph.get_mut(&from).unwrap().insert(to);
            }
        }
    }
    graph
}

/// One cycle through `start`, when there is one (depth-first search).
fn cycle_from(graph: &BTreeMap<String, BTreeSet<String>>, start: &str) -> Option<Vec<String>> {
    fn walk(
        graph: &BTreeMap<String, BTreeSet<String>>,
        start: &str,
        at: &str,
        path: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        for next in &graph[at] {
            if next == start {
                path.push(next.clone());
                return true;
            }
            if seen.insert(next.clone()) {
                path.push(next.clone());
                if walk(graph, start, next, path, seen) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut path = vec![start.to_string()];
    let mut seen = BTreeSet::new();
    walk(graph, start, start, &mut path, &mut seen).then_some(path)
}

#[test]
fn top_level_modules_import_each_other_without_a_cycle() {
    let graph = graph();
    let cycles: Vec<String> = graph
        .keys()
        .filter_map(|m| cycle_from(&graph, m))
        .map(|c| c.join(" -> "))
        .collect();
    assert!(
        cycles.is_empty(),
        "import cycles among the top-level modules of src/:\n  {}",
        cycles.join("\n  ")
    );
}

#[test]
fn only_app_imports_cli() {
    let graph = graph();
    let offenders: Vec<&String> = graph
        .iter()
        .filter(|(m, to)| m.as_str() != "app" && to.contains("cli"))
        .map(|(m, _)| m)
        .collect();
    assert!(
        offenders.is_empty(),
        "only app/ may import cli/, but so do: {offenders:?}"
    );
}

#[test]
fn the_vocabulary_floor_imports_nothing() {
    let graph = graph();
    for leaf in ["vocab", "clock", "error", "fsutil"] {
        assert!(
            graph[leaf].is_empty(),
            "{leaf} is a leaf of the house but imports {:?}",
            graph[leaf]
        );
    }
}

#[test]
fn the_reader_sees_paths_and_skips_comments() {
    let text = "use crate::store::{Batch, Store};\n// crate::cli is named here only\nlet x = crate::clock::now(); $crate::say!();";
    let found = crate_paths(text);
    assert_eq!(
        found.into_iter().collect::<Vec<_>>(),
        vec!["clock".to_string(), "store".to_string()]
    );
}
