//! The browser side of `connect` in tests: [`FakeBrowser`], a `$BROWSER` for the binary that
//! "clicks Authorize" on any fake platform's authorize page, and [`click_authorize`] for the
//! same in-process.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use super::http;

/// In-process "user clicks Authorize": GETs the authorize URL and returns the redirect's
/// `Location` without following it (the URL a user would paste in the `--no-browser` flow).
/// Panics when the page does not redirect.
pub fn click_authorize(authorize_url: &str) -> String {
    let response = http::get(authorize_url);
    assert_eq!(
        response.status, 302,
        "authorize page did not redirect: {}",
        response.body
    );
    response.header("location").expect("a Location").to_string()
}

/// A `$BROWSER` for the binary: an executable shell script in its own temporary directory that
/// opens the URL it is given with curl, like a user who clicks "Authorize". It logs every URL it
/// was asked to open, and its curl exit status when done.
pub struct FakeBrowser {
    dir: tempfile::TempDir,
    script: PathBuf,
}

impl FakeBrowser {
    /// Follows the authorize page's 302 to the binary's loopback listener (a plain GET of
    /// `http://127.0.0.1:PORT/callback/?code=..&state=..`), then exits with curl's status.
    pub fn following_redirect() -> FakeBrowser {
        FakeBrowser::new(
            "Follows the authorize page's redirect to the app's loopback listener.",
            "\"$CURL\" -sS -L --max-time 10 -o /dev/null \"$1\" 2>>\"$DIR/curl.err\"\nstatus=$?",
        )
    }

    /// Does not follow the redirect: writes its `Location` to a file
    /// ([`FakeBrowser::wait_for_redirect`]), for the paste flow.
    pub fn capturing_redirect() -> FakeBrowser {
        FakeBrowser::new(
            "Writes where the authorize page redirects to, without following it.",
            "\"$CURL\" -sS --max-time 10 -o /dev/null -w '%{redirect_url}' \"$1\" >\"$DIR/redirect.tmp\" 2>>\"$DIR/curl.err\"\n\
             status=$?\nmv \"$DIR/redirect.tmp\" \"$DIR/redirect.url\"",
        )
    }

    fn new(what: &str, run: &str) -> FakeBrowser {
        use std::os::unix::fs::PermissionsExt;
        let curl = find_curl();
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("browser");
        let text = format!(
            "#!/bin/sh\n# Fake browser for socialcrm's tests. {what}\n\
             DIR={}\nCURL={}\nprintf '%s\\n' \"$1\" >>\"$DIR/opened.log\"\n{run}\n\
             printf '%s\\n' \"$status\" >>\"$DIR/done.log\"\nexit $status\n",
            sh_quote(&dir.path().display().to_string()),
            sh_quote(&curl.display().to_string()),
        );
        std::fs::write(&script, text).unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        FakeBrowser { dir, script }
    }

    /// The executable to put in `BROWSER`.
    pub fn path(&self) -> &Path {
        &self.script
    }

    /// Sets `BROWSER` on a command (the binary).
    pub fn apply(&self, cmd: &mut Command) {
        cmd.env("BROWSER", &self.script);
    }

    /// The URLs the browser was asked to open so far.
    pub fn opened_urls(&self) -> Vec<String> {
        read_lines(&self.dir.path().join("opened.log"))
    }

    /// Waits until the browser has finished once; its curl exit status. None on timeout.
    pub fn wait_done(&self, timeout: Duration) -> Option<i32> {
        let done = self.dir.path().join("done.log");
        wait_until(timeout, || {
            read_lines(&done).first().map(|s| s.parse().unwrap_or(-1))
        })
    }

    /// For [`FakeBrowser::capturing_redirect`]: the redirect's `Location`, once written.
    pub fn wait_for_redirect(&self, timeout: Duration) -> Option<String> {
        let file = self.dir.path().join("redirect.url");
        wait_until(timeout, || std::fs::read_to_string(&file).ok())
    }

    /// What curl printed on stderr, for failure messages.
    pub fn errors(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("curl.err")).unwrap_or_default()
    }
}

fn find_curl() -> PathBuf {
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join("curl"))
        .find(|p| p.is_file())
        .expect("the fake browser needs curl on PATH (.ci/run installs it)")
}

fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

fn read_lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

fn wait_until<T>(timeout: Duration, mut check: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = check() {
            return Some(v);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
