//! Tables as a person sees them: in a real terminal (a pty made by `script`) 80 columns wide,
//! every listing keeps one line per row, cuts long text with `…` instead of wrapping it, and
//! shows whole compact timestamps; piped, a table has no padding and no trailing spaces.

use std::process::Command;

use unicode_width::UnicodeWidthStr;

use crate::support::TestEnv;

/// A long name and long message bodies with long words, the kind that used to wrap over lines.
fn world() -> TestEnv {
    let env = TestEnv::new();
    let fans = env.file("fans.csv", "Username,Name,Status,Subscribed,Last Active,Total Spent\n\
         @averyveryverylongusernamethatkeepsgoing,Maximiliana Bartholomew-Featherstonehaugh the Third,Active,2026-01-14,2026-11-20,\"$1,204.50\"\n\
         @short,Bo,Expired,2025-09-30,2026-06-11,$89.99\n");
    let messages = env.file("messages.csv", "Message ID,Fan,Direction,Sent At,Text,Price\n\
         m-1,@short,received,2026-11-20 18:02,\"Supercalifragilisticexpialidocious antidisestablishmentarianism and then some more words to make this body far wider than any terminal\",\n\
         m-2,@short,sent,2026-11-20 18:15,short reply,$12.00\n");
    for (kind, file) in [("fans", &fans), ("messages", &messages)] {
        env.run(&["import-csv", "onlyfans", kind, file.to_str().unwrap()])
            .ok();
    }
    env
}

/// Runs the binary in a pseudo-terminal `columns` wide; its screen output, lines without `\r`.
fn in_terminal(env: &TestEnv, args: &[&str], columns: u16) -> String {
    let inner = env.command(args);
    let line = std::iter::once(inner.get_program().to_string_lossy().into_owned())
        .chain(
            inner
                .get_args()
                .map(|a| format!("'{}'", a.to_string_lossy().replace('\'', "'\\''"))),
        )
        .collect::<Vec<_>>()
        .join(" ");
    let mut cmd = Command::new("script");
    cmd.args(["-qec", &format!("stty cols {columns}; {line}"), "/dev/null"]);
    cmd.env_clear();
    for (k, v) in inner.get_envs() {
        if let Some(v) = v {
            cmd.env(k, v);
        }
    }
    cmd.env("COLUMNS", columns.to_string()).env("TERM", "xterm");
    let out = cmd.output().expect("script(1) runs");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8(out.stdout).unwrap().replace('\r', "")
}

fn is_timestamp_start(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10 && b[4] == b'-' && b[7] == b'-' && b[..4].iter().all(u8::is_ascii_digit)
}

#[test]
fn listings_fit_80_columns_without_breaking_words_or_timestamps() {
    let env = world();
    let listings: [(&[&str], usize); 4] = [
        (&["fans", "list"], 2),
        (&["messages", "list"], 2),
        (&["audit", "list"], 3),
        (&["fans", "show", "onlyfans:short"], 0),
    ];
    for (args, rows) in listings {
        let screen = in_terminal(&env, args, 80);
        let lines: Vec<&str> = screen.lines().filter(|l| !l.trim().is_empty()).collect();
        for line in &lines {
            assert!(
                line.width() <= 80,
                "{args:?}: {} wide: {line}",
                line.width()
            );
            assert_eq!(line.trim_end(), *line, "{args:?}: trailing spaces");
        }
        if rows > 0 {
            // Header, rule, one line per row: nothing wrapped onto a second line.
            let table: Vec<&&str> = lines.iter().filter(|l| !l.starts_with("note:")).collect();
            assert_eq!(table.len(), rows + 2, "{args:?}:\n{screen}");
        }
        for token in screen.split_whitespace() {
            if is_timestamp_start(token) {
                // A date in a table is always followed by its whole time: `2026-11-20 18:02`.
                let at = screen.find(token).unwrap();
                let rest = &screen[at..];
                let time = rest.get(11..16).unwrap_or("");
                assert!(
                    time.len() == 5 && time.as_bytes()[2] == b':' && !rest[..16].contains('…'),
                    "{args:?}: a cut timestamp near {:?}",
                    &rest[..rest.len().min(20)]
                );
            }
        }
        if args[1] == "list" {
            assert!(
                screen.contains('…') || args[0] == "audit",
                "{args:?}: nothing was cut:\n{screen}"
            );
        }
    }
}

#[test]
fn piped_tables_have_no_padding_or_trailing_spaces() {
    let env = world();
    for args in [
        &["fans", "list"][..],
        &["messages", "list"],
        &["audit", "list"],
        &["db", "status"],
    ] {
        let run = env.run(args);
        run.ok();
        for line in run.stdout.lines() {
            assert_eq!(
                line.trim_end(),
                line,
                "{args:?}: trailing spaces in {line:?}"
            );
            assert!(!line.contains("  "), "{args:?}: padding in {line:?}");
        }
        assert!(
            run.stdout.lines().next().unwrap().contains('\t'),
            "{args:?}"
        );
    }
    // The full text is all there when piped: nothing is cut for a script.
    let messages = env.run(&["messages", "list"]);
    assert!(
        messages.stdout.contains("wider than any terminal"),
        "{}",
        messages.stdout
    );
}
