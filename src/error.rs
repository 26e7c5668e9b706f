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
    /// Everything asked for was done.
    Success = 0,
    /// Nothing was done (or nothing usable): the line says why.
    Failure = 1,
    /// The command line itself was wrong; fixing the invocation is the remedy.
    Usage = 2,
    /// Some accounts or rows failed and the rest were committed: cron retries the failures.
    Partial = 3,
    /// An account must be connected again; no retry will help until someone does.
    Reauth = 4,
    /// A setting is missing or wrong (client id, database): an operator's fix, not a retry.
    Config = 5,
}

impl ExitCode {
    /// The number the process exits with.
    pub fn code(self) -> i32 {
        self as i32
    }
}

/// A failure ready to be shown to a person: one line, plus an optional hint.
#[derive(Debug)]
pub struct CliError {
    /// The exit code the failure maps to, chosen where its kind is known.
    pub exit: ExitCode,
    /// What went wrong, naming the thing; folded to one line when shown.
    pub message: String,
    /// The fix, when there is one to name ("run `socialcrm connect tiktok`").
    pub hint: Option<String>,
}

impl CliError {
    /// A failure with an explicit exit code, for the kinds the shorthands below do not cover.
    pub fn new(exit: ExitCode, message: impl Into<String>) -> Self {
        CliError {
            exit,
            message: message.into(),
            hint: None,
        }
    }

    /// Exit 1: the operation did not succeed.
    pub fn failure(message: impl Into<String>) -> Self {
        Self::new(ExitCode::Failure, message)
    }

    /// Exit 2: the arguments were wrong, so the person (not the data) has to change.
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(ExitCode::Usage, message)
    }

    /// Exit 5: a setting is missing or invalid.
    pub fn config(message: impl Into<String>) -> Self {
        Self::new(ExitCode::Config, message)
    }

    /// Adds the fix, shown after the message as ` (hint: ...)`.
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

/// `e`'s message followed by each cause's that it does not already hold, `: `-separated, on
/// one line: a library's own message is often only the outermost layer ("error decoding
/// response body", "error connecting to server") while a cause says what happened
/// ("connection reset by peer", "Connection refused (os error 111)").
pub fn with_causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let line = cause.to_string();
        if !text.contains(&line) {
            text.push_str(": ");
            text.push_str(&line);
        }
        source = cause.source();
    }
    text
}

/// What every command returns: typed errors become a [`CliError`] by `?` at the edge.
pub type CliResult<T> = Result<T, CliError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("{0}")]
    struct Layer(&'static str, #[source] Option<Box<Layer>>);

    #[test]
    fn causes_follow_the_message_once_each() {
        let root = Layer("connection reset by peer", None);
        let mid = Layer("error sending request", Some(Box::new(root)));
        let top = Layer("error decoding response body", Some(Box::new(mid)));
        assert_eq!(
            with_causes(&top),
            "error decoding response body: error sending request: connection reset by peer"
        );
        let echo = Layer(
            "error connecting: refused",
            Some(Box::new(Layer("refused", None))),
        );
        assert_eq!(with_causes(&echo), "error connecting: refused");
    }
}
