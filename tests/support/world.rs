//! The one test world for a fake platform: a private [`TestEnv`], a database, the fake, the
//! platform's settings as environment variables, and every run kept for the leak checks.
//! A test file names its platform's world (`type World = world::World<fake_x::State>`) and
//! adds a constructor and its platform's checks as an inherent impl.

use std::process::Command;

use serde_json::Value as Json;

use super::browser::FakeBrowser;
use super::server::{Fake, Routes};
use super::{Run, TestDb, TestEnv, free_port};

/// The file secrets backend's master key in every world.
pub const MASTER_KEY: &str = "correct horse battery staple";

pub struct World<S> {
    pub env: TestEnv,
    pub fake: Fake<S>,
    pub db: TestDb,
    /// The redirect URI the platform's app is registered with.
    pub redirect: String,
    /// The platform, as `connect` names it.
    platform: &'static str,
    /// The platform's settings (client id, secret, redirect URI, ...).
    vars: Vec<(&'static str, String)>,
    /// Every run at -vv, for the leak checks.
    pub runs: Vec<Run>,
}

/// A loopback redirect URI on a free port.
pub fn loopback_redirect() -> String {
    format!("http://127.0.0.1:{}/callback/", free_port())
}

impl<S: Routes> World<S> {
    pub fn start(
        platform: &'static str,
        db: TestDb,
        redirect: String,
        fake: Fake<S>,
        vars: &[(&'static str, &str)],
    ) -> World<S> {
        World {
            env: TestEnv::new(),
            fake,
            db,
            redirect,
            platform,
            vars: vars.iter().map(|(k, v)| (*k, v.to_string())).collect(),
            runs: Vec::new(),
        }
    }

    /// The binary in this world: the fake, the settings, the database, file secrets.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = self.env.command(args);
        self.fake.apply(&mut cmd);
        for (k, v) in &self.vars {
            cmd.env(k, v);
        }
        cmd.env("SOCIALCRM_DATABASE_URL", &self.db.url)
            .env("SOCIALCRM_SECRETS", "file")
            .env("SOCIALCRM_MASTER_KEY", MASTER_KEY)
            .env("SOCIALCRM_RETRY_BUDGET", "10")
            .env("BROWSER", "true");
        cmd
    }

    /// Runs `cmd` and keeps the run for the leak checks.
    pub fn run_cmd(&mut self, cmd: Command) -> &Run {
        let run = self.env.run_cmd(cmd);
        self.runs.push(run);
        self.runs.last().unwrap()
    }

    /// Runs at -vv (so the leak check sees every log line) and keeps the run for it.
    pub fn run(&mut self, args: &[&str]) -> &Run {
        let mut all = vec!["-vv"];
        all.extend_from_slice(args);
        let cmd = self.command(&all);
        self.run_cmd(cmd)
    }

    /// Runs without logs, for one-line errors.
    pub fn quiet(&self, args: &[&str]) -> Run {
        self.env.run_cmd(self.command(args))
    }

    /// `connect <platform>` through a browser that follows the redirect; must succeed.
    pub fn connect(&mut self, extra: &[&str]) -> Json {
        let browser = FakeBrowser::following_redirect();
        let mut args = vec!["-vv", "-o", "json", "connect", self.platform];
        args.extend_from_slice(&["--timeout", "20"]);
        args.extend_from_slice(extra);
        let mut cmd = self.command(&args);
        browser.apply(&mut cmd);
        let run = self.run_cmd(cmd);
        assert_eq!(run.code, 0, "{}\n{}", run.stderr, browser.errors());
        run.json()
    }

    /// `sync` with `extra`; must succeed.
    pub fn sync(&mut self, extra: &[&str]) -> Json {
        let mut args = vec!["-o", "json", "sync"];
        args.extend_from_slice(extra);
        let run = self.run(&args);
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.json()
    }

    /// The rows `db status` counts in `table`.
    pub fn rows(&self, table: &str) -> i64 {
        self.quiet(&["-o", "json", "db", "status"])
            .ok()
            .table_rows(table)
    }
}
