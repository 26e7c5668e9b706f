//! `completions` and `man`: documentation generated from the clap definitions.
//!
//! [`generated_files`] is also what the committed `completions/` and `man/` folders must equal;
//! a test fails when they are stale (regenerate with `SOCIALCRM_REGENERATE=1 cargo test generated`).

use std::path::{Path, PathBuf};

use clap_complete::Shell;

use super::{Body, Report};
use crate::error::{CliError, CliResult, ExitCode};

pub fn completions(shell: Shell) -> Report {
    Report::raw(completion_script(shell))
}

fn completion_script(shell: Shell) -> Vec<u8> {
    let mut cmd = crate::cli::completion_command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "socialcrm", &mut out);
    out
}

pub fn man(dir: Option<&Path>) -> CliResult<Report> {
    let pages = man_pages();
    let Some(dir) = dir else {
        let (_, top) = pages
            .into_iter()
            .last()
            .expect("the top page is generated last");
        return Ok(Report::raw(top));
    };
    std::fs::create_dir_all(dir)
        .map_err(|e| CliError::failure(format!("cannot create {}: {e}", dir.display())))?;
    for (name, page) in &pages {
        let path = dir.join(name);
        crate::fsutil::ensure_regular_or_absent(&path, "man page")
            .map_err(|e| CliError::failure(e.to_string()))?;
        std::fs::write(&path, page)
            .map_err(|e| CliError::failure(format!("cannot write {}: {e}", path.display())))?;
    }
    Ok(Report {
        body: Body::Nothing,
        notes: vec![format!(
            "wrote {} man pages to {}",
            pages.len(),
            dir.display()
        )],
        exit: ExitCode::Success,
    })
}

/// `socialcrm.1` and one page per subcommand (`socialcrm-db-migrate.1`), top page last.
fn man_pages() -> Vec<(String, Vec<u8>)> {
    fn walk(cmd: clap::Command, out: &mut Vec<(String, Vec<u8>)>) {
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()).cloned() {
            walk(sub, out);
        }
        let man = clap_mangen::Man::new(cmd);
        let mut page = Vec::new();
        man.render(&mut page)
            .expect("rendering to memory cannot fail");
        out.push((man.get_filename(), page));
    }
    let mut cmd = crate::cli::hide_inherited_options(
        crate::cli::completion_command().disable_help_subcommand(true),
    );
    cmd.build();
    let mut out = Vec::new();
    walk(cmd, &mut out);
    out
}

/// Every generated file, by its path in the repository.
pub fn generated_files() -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = vec![
        (
            PathBuf::from("completions/socialcrm.bash"),
            completion_script(Shell::Bash),
        ),
        (
            PathBuf::from("completions/_socialcrm"),
            completion_script(Shell::Zsh),
        ),
        (
            PathBuf::from("completions/socialcrm.fish"),
            completion_script(Shell::Fish),
        ),
    ];
    for (name, page) in man_pages() {
        files.push((Path::new("man").join(name), page));
    }
    files
}
