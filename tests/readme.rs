//! The README's promises, run: the commands on its first screen work exactly as written on a
//! fresh machine (no credentials, the embedded database), and every relative link in the
//! documentation points at a file or heading that exists.

use std::path::{Path, PathBuf};

use crate::support::TestEnv;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The `sh` code blocks of the README's first screen (up to `## Connecting platforms`), as lines.
fn first_screen_commands(readme: &str) -> Vec<String> {
    let head = readme.split("\n## Connecting platforms").next().unwrap();
    let mut lines = Vec::new();
    let mut in_sh = false;
    for line in head.lines() {
        match line.trim() {
            "```sh" => in_sh = true,
            "```" => in_sh = false,
            text if in_sh && !text.is_empty() && !text.starts_with('#') => {
                lines.push(text.to_string())
            }
            _ => {}
        }
    }
    lines
}

/// Words of one simple shell command line (double quotes group; no other shell syntax).
fn words(command: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    for c in command.chars() {
        match c {
            '"' => quoted = !quoted,
            ' ' if !quoted => {
                if !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

#[test]
fn the_first_screen_of_the_readme_runs_as_written() {
    let readme = read(&repo().join("README.md"));
    let lines = first_screen_commands(&readme);
    assert!(
        lines.iter().any(|l| l.starts_with("socialcrm import-csv")),
        "the quick start lost its import: {lines:?}"
    );
    assert!(
        lines.iter().any(|l| l == "cargo test"),
        "the README's test command is gone: {lines:?}"
    );
    let ci = read(&repo().join(".ci/run"));
    assert!(
        ci.lines().any(|l| l.trim() == "cargo test"),
        ".ci/run does not call the README's test command"
    );
    let env = TestEnv::new();
    let mut ran = 0;
    for line in &lines {
        for part in line.split("&&").map(str::trim) {
            let words = words(part);
            match words.first().map(String::as_str) {
                Some("socialcrm") => {}
                // Building, installing and testing are what the rest of this suite does.
                Some("cargo") => continue,
                _ => {
                    panic!("the README's first screen shows a command this test cannot run: {part}")
                }
            }
            let args: Vec<&str> = words[1..].iter().map(String::as_str).collect();
            let mut cmd = env.command(&args);
            cmd.current_dir(repo());
            let run = env.run_cmd(cmd);
            assert_eq!(run.code, 0, "`{part}` failed: {}", run.stderr);
            ran += 1;
        }
    }
    assert!(ran >= 3, "only {ran} commands ran");
}

/// GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

fn anchors(markdown: &str) -> Vec<String> {
    let mut in_code = false;
    markdown
        .lines()
        .filter(|l| {
            if l.trim_start().starts_with("```") {
                in_code = !in_code;
            }
            !in_code && l.starts_with('#')
        })
        .map(|l| slug(l.trim_start_matches('#')))
        .collect()
}

/// `](target)` links of a markdown text, outside code blocks.
fn links(markdown: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_code = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            continue;
        }
        let mut rest = line;
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let Some(end) = after.find(')') else { break };
            out.push(after[..end].to_string());
            rest = &after[end..];
        }
    }
    out
}

#[test]
fn every_relative_link_in_the_docs_resolves() {
    let mut docs = vec![repo().join("README.md"), repo().join("ARCHITECTURE.md")];
    for entry in std::fs::read_dir(repo().join("docs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            docs.push(path);
        }
    }
    let mut checked = 0;
    for doc in &docs {
        let text = read(doc);
        for link in links(&text) {
            if link.starts_with("http://")
                || link.starts_with("https://")
                || link.starts_with("mailto:")
            {
                continue;
            }
            let (file, anchor) = link.split_once('#').unwrap_or((&link, ""));
            let target = if file.is_empty() {
                doc.clone()
            } else {
                doc.parent().unwrap().join(file)
            };
            assert!(
                target.exists(),
                "{}: {link} points at a missing file",
                doc.display()
            );
            if !anchor.is_empty() {
                let heads = anchors(&read(&target));
                assert!(
                    heads.iter().any(|h| h == anchor),
                    "{}: {link} points at no heading of {}",
                    doc.display(),
                    target.display()
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 5, "only {checked} links found");
}
