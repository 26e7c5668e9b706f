//! Errors at the edge: every failure becomes one line on stderr and one of the exit codes of
//! DESIGN.md.
//!
//! Modules inside the crate return their own typed errors (`StoreError`, `ConfigError`, ...).
//! They are converted here, once, into a [`CliError`]: a kind (which picks the exit code), a
//! message that names the thing that went wrong, and optionally a hint that names the fix. The
//! message never contains a secret: errors that could carry one (database URLs) are built from
//! already-redacted values by the module that raised them.

use std::fmt;

/// The exit codes of DESIGN.md. Scripts and cron wrappers depend on these numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    Success = 0,
    Failure = 1,
    Usage = 2,
    Partial = 3,
    Reauth = 4,
    Config = 5,
}

impl ExitCode {
    pub fn code(self) -> i32 {
        self as i32
    }
}

/// A failure ready to be shown to a person: one line, plus an optional hint.
#[derive(Debug)]
pub struct CliError {
    pub exit: ExitCode,
    pub message: String,
    pub hint: Option<String>,
}

impl CliError {
    pub fn new(exit: ExitCode, message: impl Into<String>) -> Self {
        CliError {
            exit,
            message: message.into(),
            hint: None,
        }
    }

    pub fn failure(message: impl Into<String>) -> Self {
        Self::new(ExitCode::Failure, message)
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(ExitCode::Usage, message)
    }

    pub fn config(message: impl Into<String>) -> Self {
        Self::new(ExitCode::Config, message)
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for CliError {
    /// Renders the single line printed after `error: `. Newlines inside messages coming from
    /// drivers are folded so the "one line" promise holds whatever the driver says.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", one_line(&self.message))?;
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {})", one_line(hint))?;
        }
        Ok(())
    }
}

impl std::error::Error for CliError {}

/// Collapses any run of whitespace containing a newline into a single space.
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub type CliResult<T> = Result<T, CliError>;
