//! Progress bars on stderr, drawn only for a person watching a terminal.
//!
//! Cron jobs and scripts get nothing (stderr is not a terminal, or `--no-progress`), so their
//! logs hold only the one-line summary and notes.

use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar over the bytes of an input, with a row count and rate in its message.
pub struct Progress {
    bar: ProgressBar,
    started: Instant,
}

impl Progress {
    /// `total` is the input's size when known (a file), `None` for a pipe.
    pub fn bytes(visible: bool, total: Option<u64>) -> Progress {
        match total {
            // The bar takes what the terminal's width leaves, so the line never wraps.
            Some(n) => Progress::drawn(
                visible,
                ProgressBar::new(n),
                "{wide_bar} {bytes}/{total_bytes} · {msg} · {eta} left",
            ),
            None => Progress::drawn(
                visible,
                ProgressBar::no_length(),
                "{spinner} {bytes} · {msg}",
            ),
        }
    }

    /// A bar over bytes sent, with the transfer rate (bytes/s) and time left.
    pub fn transfer(visible: bool, total: u64) -> Progress {
        Progress::drawn(
            visible,
            ProgressBar::new(total),
            "{wide_bar} {bytes}/{total_bytes} · {binary_bytes_per_sec} · {eta} left",
        )
    }

    /// `bar` drawn with `template` on stderr at 10 Hz when `visible`, else hidden.
    fn drawn(visible: bool, bar: ProgressBar, template: &str) -> Progress {
        if visible {
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_draw_target(ProgressDrawTarget::stderr_with_hz(10));
        } else {
            bar.set_draw_target(ProgressDrawTarget::hidden());
        }
        Progress {
            bar,
            started: Instant::now(),
        }
    }

    /// A handle that moves the bar to a position, from any thread (e.g. an HTTP body writer).
    pub fn setter(&self) -> impl Fn(u64) + Send + Sync + 'static {
        let bar = self.bar.clone();
        move |position| {
            if !bar.is_hidden() {
                bar.set_position(position);
            }
        }
    }

    /// Where reading is: bytes consumed and rows seen.
    pub fn update(&self, bytes: u64, rows: u64) {
        if self.bar.is_hidden() {
            return;
        }
        let secs = self.started.elapsed().as_secs_f64().max(1e-3);
        self.bar.set_position(bytes);
        self.bar
            .set_message(format!("{rows} rows, {:.0} rows/s", rows as f64 / secs));
    }

    /// Removes the bar so the summary prints on a clean line.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
