//! Opening the authorization page in the user's browser.
//!
//! `$BROWSER` wins (a `:`-separated list of commands, each optionally with `%s` for the URL, as
//! the convention shared by many Unix tools has it); otherwise the desktop's opener. The
//! browser is started and left running: connect waits for the redirect, not for the browser.

use std::process::{Command, Stdio};

/// Starts a browser on `url`; `false` when none could be started (the URL is then printed and
/// the user opens it by hand).
pub fn open(url: &str, browser_var: Option<&str>) -> bool {
    let candidates: Vec<String> = match browser_var.filter(|b| !b.trim().is_empty()) {
        Some(list) => list.split(':').map(str::to_string).collect(),
        None if cfg!(target_os = "macos") => vec!["open".into()],
        None => vec!["xdg-open".into()],
    };
    candidates.iter().any(|candidate| spawn(candidate, url))
}

fn spawn(candidate: &str, url: &str) -> bool {
    let mut words = candidate.split_whitespace();
    let Some(program) = words.next() else {
        return false;
    };
    let mut args: Vec<String> = words.map(str::to_string).collect();
    if args.iter().any(|a| a.contains("%s")) {
        for a in &mut args {
            *a = a.replace("%s", url);
        }
    } else {
        args.push(url.to_string());
    }
    Command::new(program)
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .is_ok()
}
