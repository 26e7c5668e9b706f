//! Opening the authorization page in the user's browser.
//!
//! `$BROWSER` wins (a `:`-separated list of commands, each optionally with `%s` for the URL, as
//! the convention shared by many Unix tools has it); otherwise the desktop's opener. The
//! browser is started and left running: connect waits for the redirect, not for the browser.
//!
//! An opener that starts is not yet a browser that opened: `xdg-open` on a host without a
//! display, or `BROWSER=false`, starts and then exits non-zero. So the caller always prints the
//! address too (as gh does), and [`Launched::watch`] reports an opener that failed, so the user
//! is told to open or paste the address instead of waiting for a page that never appeared.

use std::process::{Child, Command, ExitStatus, Stdio};

/// An opener that was started: its command (for messages) and the running process.
pub struct Launched {
    /// The opener's command line, so a failure message can say what was tried.
    pub command: String,
    child: Child,
}

impl Launched {
    /// Waits for the opener on its own thread and calls `on_failure` with a one-line reason if
    /// it exits unsuccessfully. A browser that stays running (a foreground `$BROWSER`) is fine.
    pub fn watch(mut self, on_failure: impl FnOnce(String) + Send + 'static) {
        std::thread::spawn(move || {
            if let Ok(status) = self.child.wait()
                && !status.success()
            {
                on_failure(failure(&self.command, status));
            }
        });
    }
}

fn failure(command: &str, status: ExitStatus) -> String {
    let how = match status.code() {
        Some(code) => format!("exited with status {code}"),
        None => "was killed by a signal".to_string(),
    };
    format!("the browser command `{command}` {how}")
}

/// Starts a browser on `url`: the first candidate that could be started, or `None` when none
/// could (no such program).
pub fn open(url: &str, browser_var: Option<&str>) -> Option<Launched> {
    let candidates: Vec<String> = match browser_var.filter(|b| !b.trim().is_empty()) {
        Some(list) => list.split(':').map(str::to_string).collect(),
        None if cfg!(target_os = "macos") => vec!["open".into()],
        None => vec!["xdg-open".into()],
    };
    candidates.iter().find_map(|candidate| {
        spawn(candidate, url).map(|child| Launched {
            command: candidate
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_string(),
            child,
        })
    })
}

fn spawn(candidate: &str, url: &str) -> Option<Child> {
    let mut words = candidate.split_whitespace();
    let program = words.next()?;
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
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    #[test]
    fn an_opener_that_exits_non_zero_is_reported() {
        let launched = open("http://127.0.0.1:1/", Some("false")).expect("false starts");
        assert_eq!(launched.command, "false");
        let (tx, rx) = mpsc::channel();
        launched.watch(move |why| tx.send(why).unwrap());
        let why = rx.recv_timeout(Duration::from_secs(60)).unwrap();
        assert_eq!(why, "the browser command `false` exited with status 1");
    }

    #[test]
    fn an_opener_that_succeeds_is_not_reported() {
        let launched = open("http://127.0.0.1:1/", Some("true")).expect("true starts");
        let (tx, rx) = mpsc::channel::<String>();
        launched.watch(move |why| tx.send(why).unwrap());
        // The sender is dropped without a message once `true` has exited successfully.
        assert!(rx.recv_timeout(Duration::from_secs(60)).is_err());
    }

    #[test]
    fn a_missing_program_falls_through_to_the_next_candidate() {
        let launched = open("u", Some("/no/such/browser:true %s")).expect("true starts");
        assert_eq!(launched.command, "true");
        assert!(open("u", Some("/no/such/browser")).is_none());
    }
}
