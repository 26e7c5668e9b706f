//! `upload <platform> FILE`: post a local file to a connected account, through the one upload
//! pipeline of `crate::upload` and the platform's publisher, which the registry names.
//!
//! This command only turns the parsed arguments into the pipeline's request, opens what each
//! stage needs (the store for the ledger, then the account's session) and turns the outcome
//! into the report; it names no platform and reads no platform's error codes.

use std::io::IsTerminal;
use std::time::Duration;

use super::{Context, Report};
use crate::cli::{Privacy, UploadArgs};
use crate::error::{CliError, CliResult, ExitCode};
use crate::output::Detail;
use crate::upload::{self, Audience, Found, Kind, Outcome, Request, UploadError};

pub fn run(ctx: &mut Context, args: UploadArgs) -> CliResult<Report> {
    let id = args.platform;
    let publisher = crate::platforms::publisher(id, &ctx.config)
        .ok_or_else(|| CliError::usage(format!("{id} takes no uploads")))?;
    let request = Request {
        file: args.file,
        account: args.account,
        caption: args.caption,
        audience: args.privacy.map(audience),
        draft: args.draft,
        no_wait: args.no_wait,
        force: args.force,
        chunk_size: args.chunk_size,
        wait: Duration::from_secs(args.wait),
        progress: ctx.config.progress && std::io::stderr().is_terminal(),
    };
    let account = request.account.clone();
    let checked = upload::check(publisher.as_ref(), request)?;
    let connection = ctx.connection(id, &account)?;
    let operator = ctx.config.operator.clone();
    let pending = match checked.look_up(ctx.store()?, &operator)? {
        Found::Posted(outcome) => return Ok(report(*outcome)),
        Found::New(pending) => pending,
    };
    let adapter = ctx.connected_adapter(id, &account)?;
    let mut session = ctx.session(adapter.as_ref(), connection)?;
    Ok(report(pending.send(&mut session)?))
}

fn report(outcome: Outcome) -> Report {
    let report = Report::data(Detail(outcome.uploaded));
    match outcome.note {
        Some(note) => report.note(note),
        None => report,
    }
}

/// `--privacy`'s level in the pipeline's words.
fn audience(privacy: Privacy) -> Audience {
    match privacy {
        Privacy::Public => Audience::Public,
        Privacy::Friends => Audience::Friends,
        Privacy::Followers => Audience::Followers,
        Privacy::Private => Audience::Private,
    }
}

impl From<UploadError> for CliError {
    fn from(e: UploadError) -> CliError {
        match e {
            UploadError::Stopped(reason) => {
                let exit = match reason.kind {
                    Kind::Usage => ExitCode::Usage,
                    Kind::Failure => ExitCode::Failure,
                    Kind::Reauth => ExitCode::Reauth,
                };
                let error = CliError::new(exit, reason.message);
                match reason.hint {
                    Some(hint) => error.with_hint(hint),
                    None => error,
                }
            }
            UploadError::Platform { error, hint } => {
                let error = CliError::from(error);
                match hint {
                    Some(hint) => error.with_hint(hint),
                    None => error,
                }
            }
            UploadError::Store(e) => e.into(),
        }
    }
}
