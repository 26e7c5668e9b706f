//! A bounded random harness over the parsers that take text from outside: the CSV record reader
//! (`import::reader`), the amount and date parsers of imported cells (`import::values`), the
//! OnlyFans row parsers that use them (`platforms::onlyfans::rows`) and the command line's dates
//! and spans (`cli::when`). It runs in every `cargo test`, a fixed number
//! of cases from a fixed seed, so a failure reproduces exactly; `FUZZ_CASES=N` and
//! `FUZZ_SEED=S` run more or other cases locally.
//!
//! Why not cargo-fuzz: libFuzzer needs a nightly toolchain, and this project builds on stable.
//! Why not proptest: its dependency tree is large for a shared two-core machine, and these
//! properties need no shrinking beyond printing the failing input, which every assertion here
//! does. Inputs are built from pieces each parser cares about (separators, signs, currency
//! symbols, offsets, quotes, CR/LF, multi-byte characters) mixed with random characters, which
//! finds more than uniform bytes would.
//!
//! Properties: nothing panics; an accepted amount is bounded by the digits written; an accepted
//! date lies in years 0 to 9999 in UTC; values written in an accepted form read back equal; a
//! CSV table written by the `csv` crate reads back cell for cell; reading any bytes ends, with
//! every row within the reader's bounds.

use std::io::Cursor;
use std::path::Path;

use chrono::{DateTime, Datelike, Duration, TimeZone, Utc};
use socialcrm::cli::parse_when;
use socialcrm::import::reader::{MAX_ROW, Next, Row, Rows};
use socialcrm::import::values::{DateOrder, MAX_CENTS, parse_amount, parse_datetime};

/// splitmix64: tiny, fast and good enough to drive a harness; no dependency.
struct Rng(u64);

impl Rng {
    fn new(salt: u64) -> Rng {
        let seed = std::env::var("FUZZ_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0x5eed_c0de_u64);
        Rng(seed ^ salt.wrapping_mul(0x9e37_79b9_7f4a_7c15))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }

    /// Any character: mostly ASCII, some multi-byte, some control characters.
    fn any_char(&mut self) -> char {
        match self.below(10) {
            0 => char::from_u32(self.below(0x11_0000) as u32).unwrap_or('\u{fffd}'),
            1 => [
                'é', '€', '£', '\u{a0}', '\u{202f}', '日', '\u{feff}', '\0', '\r', '\n',
            ][self.below(10)],
            _ => char::from(self.below(128) as u8),
        }
    }

    /// Up to `max` pieces, each one of `pieces` or a random character.
    fn text(&mut self, pieces: &[&str], max: usize) -> String {
        let mut s = String::new();
        for _ in 0..=self.below(max) {
            if self.chance(4) {
                s.push(self.any_char());
            } else {
                s.push_str(self.pick(pieces));
            }
        }
        s
    }
}

/// Runs `parse` on `input`, turning a panic into a failure that names the input.
fn no_panic<T>(input: &str, parse: impl FnOnce() -> T + std::panic::UnwindSafe) -> T {
    std::panic::catch_unwind(parse).unwrap_or_else(|_| panic!("{input:?} made the parser panic"))
}

/// How many cases each property runs: the default keeps the whole file to a few seconds of a
/// debug build on a busy machine.
fn cases(default: usize) -> usize {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

const AMOUNT_PIECES: &[&str] = &[
    "0",
    "1",
    "12",
    "123",
    "999",
    "9223372036854775807",
    "92233720368547758",
    ",",
    ".",
    " ",
    "\u{a0}",
    "\u{202f}",
    "-",
    "(",
    ")",
    "$",
    "€",
    "£",
    "USD",
    "EUR",
    "eur",
    "é",
    ",000",
    ".50",
    ",5",
];

#[test]
fn fuzz_amounts_never_panic_and_stay_bounded() {
    let mut rng = Rng::new(1);
    for _ in 0..cases(20_000) {
        let input = rng.text(AMOUNT_PIECES, 12);
        let Ok(Some(money)) = no_panic(&input, || parse_amount(&input)) else {
            continue;
        };
        // Every digit written counts at most once: |cents| < 10^(digits + 2).
        let digits = input.chars().filter(char::is_ascii_digit).count();
        let bound = 10f64.powi(digits as i32 + 2);
        assert!(
            (money.cents as f64).abs() < bound,
            "{input:?} gave {} cents from {digits} digits",
            money.cents
        );
        if let Some(code) = &money.currency {
            assert!(["USD", "EUR", "GBP"].contains(&code.as_str()) || code.len() == 3);
        }
    }
}

#[test]
fn fuzz_amounts_written_in_accepted_forms_read_back() {
    let mut rng = Rng::new(2);
    for _ in 0..cases(20_000) {
        // Up to the largest amount a cell may hold: far beyond any fan's spend.
        let cents =
            (rng.next() % (MAX_CENTS as u64 + 1)) as i64 * if rng.chance(3) { -1 } else { 1 };
        let (units, frac) = (cents.unsigned_abs() / 100, cents.unsigned_abs() % 100);
        let grouped = |sep: &str| {
            let digits = units.to_string();
            let mut out = String::new();
            for (i, c) in digits.chars().enumerate() {
                if i > 0 && (digits.len() - i) % 3 == 0 {
                    out.push_str(sep);
                }
                out.push(c);
            }
            out
        };
        let minus = if cents < 0 { "-" } else { "" };
        let (text, currency) = match rng.below(5) {
            0 => (format!("{minus}{units}.{frac:02}"), None),
            1 => (format!("{minus}${}.{frac:02}", grouped(",")), Some("USD")),
            2 => (format!("{minus}{},{frac:02} €", grouped(".")), Some("EUR")),
            3 => (format!("{minus}{},{frac:02}", grouped("\u{a0}")), None),
            _ if cents < 0 => (format!("(£{}.{frac:02})", grouped(",")), Some("GBP")),
            _ => (format!("EUR {units}.{frac:02}"), Some("EUR")),
        };
        let money = parse_amount(&text)
            .unwrap_or_else(|e| panic!("{text:?} was refused: {e}"))
            .unwrap_or_else(|| panic!("{text:?} read as empty"));
        assert_eq!(money.cents, cents, "{text:?}");
        assert_eq!(money.currency.as_deref(), currency, "{text:?}");
    }
}

const DATE_PIECES: &[&str] = &[
    "2026",
    "0000",
    "9999",
    "1970",
    "-",
    "/",
    ".",
    "T",
    " ",
    "01",
    "12",
    "13",
    "31",
    "29",
    "02",
    "00",
    "1",
    ":",
    "00",
    "59",
    "60",
    "24",
    "+",
    "-",
    "Z",
    "+14:00",
    "-23:59",
    "+0130",
    "AM",
    "pm",
    ".5",
    ".123456789",
    "é",
    "1é1",
    "日",
];

#[test]
fn fuzz_dates_never_panic_and_stay_within_years_0_to_9999() {
    let mut rng = Rng::new(3);
    let orders = [
        DateOrder::Auto,
        DateOrder::Iso,
        DateOrder::Mdy,
        DateOrder::Dmy,
    ];
    for _ in 0..cases(20_000) {
        let input = if rng.chance(2) {
            rng.text(DATE_PIECES, 10)
        } else {
            date_like(&mut rng)
        };
        for order in orders {
            if let Ok(Some(t)) = no_panic(&input, || parse_datetime(&input, order)) {
                assert!(
                    (0..=9999).contains(&t.year()),
                    "{input:?} ({order:?}) gave {t}"
                );
            }
        }
    }
}

/// A date in one of the written forms, with its parts drawn from edge values and now and then
/// one part replaced by anything: random pieces alone rarely line up into a whole date.
fn date_like(rng: &mut Rng) -> String {
    const YEARS: &[&str] = &["0000", "0001", "1970", "2026", "9999"];
    const TWO: &[&str] = &["00", "01", "02", "12", "13", "29", "31", "1", "99"];
    const OFFSETS: &[&str] = &[
        "", "Z", "+00:00", "+01:00", "-01:00", "+14:00", "-23:59", "+2359", "+05", "+1é1", "-日1",
    ];
    let mut parts: Vec<String> = match rng.below(3) {
        0 => vec![
            rng.pick(YEARS).into(),
            "-".into(),
            rng.pick(TWO).into(),
            "-".into(),
            rng.pick(TWO).into(),
        ],
        1 => vec![
            rng.pick(TWO).into(),
            "/".into(),
            rng.pick(TWO).into(),
            "/".into(),
            rng.pick(YEARS).into(),
        ],
        _ => vec![
            rng.pick(TWO).into(),
            ".".into(),
            rng.pick(TWO).into(),
            ".".into(),
            rng.pick(YEARS).into(),
        ],
    };
    if !rng.chance(4) {
        parts.push(rng.pick(&["T", " ", "t"]).into());
        parts.push(rng.pick(&["00", "12", "23", "24", "1"]).into());
        parts.push(":".into());
        parts.push(rng.pick(&["00", "59", "60"]).into());
        if rng.chance(2) {
            parts.push(
                rng.pick(&[":00", ":59", ":60", ":00.5", ":00.123456789"])
                    .into(),
            );
        }
        if rng.chance(4) {
            parts.push(rng.pick(&[" AM", " PM", "pm"]).into());
        }
        parts.push(rng.pick(OFFSETS).into());
    }
    if rng.chance(3) {
        let at = rng.below(parts.len());
        parts[at] = if rng.chance(2) {
            rng.any_char().to_string()
        } else {
            rng.pick(DATE_PIECES).to_string()
        };
    }
    parts.concat()
}

/// Any time in years 0 to 9999, to the second.
fn random_time(rng: &mut Rng) -> DateTime<Utc> {
    let first = Utc.with_ymd_and_hms(0, 1, 1, 0, 0, 0).unwrap().timestamp();
    let last = Utc
        .with_ymd_and_hms(9999, 12, 31, 23, 59, 59)
        .unwrap()
        .timestamp();
    let secs = first + (rng.next() % (last - first) as u64) as i64;
    DateTime::from_timestamp(secs, 0).unwrap()
}

#[test]
fn fuzz_dates_written_in_accepted_forms_read_back() {
    let mut rng = Rng::new(4);
    for _ in 0..cases(20_000) {
        let t = random_time(&mut rng);
        let (text, order) = match rng.below(4) {
            0 => (t.format("%Y-%m-%dT%H:%M:%SZ").to_string(), DateOrder::Auto),
            1 => (t.format("%Y-%m-%d %H:%M:%S").to_string(), DateOrder::Iso),
            2 => (t.format("%m/%d/%Y %I:%M:%S %p").to_string(), DateOrder::Mdy),
            _ => (t.format("%d.%m.%Y %H:%M:%S").to_string(), DateOrder::Dmy),
        };
        let got = parse_datetime(&text, order)
            .unwrap_or_else(|e| panic!("{text:?} ({order:?}) was refused: {e}"));
        assert_eq!(got, Some(t), "{text:?} ({order:?})");
    }
}

const WHEN_PIECES: &[&str] = &[
    "7",
    "0",
    "100000000",
    "9223372036854775807",
    "99999999999999999999",
    "d",
    "h",
    "m",
    "-",
    "+",
    "2026-11-01",
    "T12:00:00Z",
    "é",
    " ",
];

#[test]
fn fuzz_command_line_dates_never_panic_and_spans_read_back() {
    let mut rng = Rng::new(5);
    for _ in 0..cases(20_000) {
        let input = rng.text(WHEN_PIECES, 4);
        let _ = no_panic(&input, || parse_when(&input));
    }
    for _ in 0..cases(5_000) {
        let n = rng.next() % 1_000_000;
        let (unit, span) = match rng.below(3) {
            0 => ("d", Duration::days(n as i64)),
            1 => ("h", Duration::hours(n as i64)),
            _ => ("m", Duration::minutes(n as i64)),
        };
        let text = format!("{n}{unit}");
        // The clock runs on between the reads: the answer lies between them, whatever the speed.
        let before = socialcrm::clock::now();
        let got = parse_when(&text).unwrap_or_else(|e| panic!("{text:?} was refused: {e}"));
        let after = socialcrm::clock::now();
        assert!(
            before - span <= got && got <= after - span,
            "{text:?} gave {got}, not {span} before now"
        );
    }
}

/// Every row of `bytes` as the reader returns it; `Err` for an input it refuses outright.
fn read_all(bytes: Vec<u8>) -> Result<Vec<Result<Vec<String>, String>>, String> {
    let len = bytes.len() as u64;
    let mut rows = Rows::new(Box::new(Cursor::new(bytes)), Path::new("fuzz.csv"))
        .map_err(|e| e.to_string())?;
    let mut row = Row::default();
    let mut out = Vec::new();
    // Each call consumes at least one byte or ends: more calls than bytes is a loop.
    for _ in 0..=len + 1 {
        match rows.next(&mut row).map_err(|e| e.to_string())? {
            Next::Row => {
                assert!(
                    row.bytes() <= MAX_ROW,
                    "a row of {} bytes was kept",
                    row.bytes()
                );
                let cells: Vec<String> = (0..row.len())
                    .map(|i| row.get(i).expect("every cell is UTF-8").to_string())
                    .collect();
                out.push(Ok(cells));
            }
            Next::Unreadable { reason, .. } | Next::Rejected { reason } => out.push(Err(reason)),
            Next::End => {
                assert!(rows.consumed() <= len);
                return Ok(out);
            }
        }
    }
    panic!("the reader did not end within {len} bytes");
}

const CSV_PIECES: &[&str] = &[
    "\"", "\"\"", ",", ";", "\t", "\n", "\r", "\r\n", "a", "fan", "12.50", " ", "\0", "é",
    "\u{feff}", "x\"y",
];

#[test]
fn fuzz_csv_reader_reads_any_bytes_to_the_end() {
    let mut rng = Rng::new(6);
    for _ in 0..cases(3_000) {
        let mut bytes = rng.text(CSV_PIECES, 200).into_bytes();
        // Invalid UTF-8 here and there.
        for _ in 0..rng.below(3) {
            if !bytes.is_empty() {
                let at = rng.below(bytes.len());
                bytes[at] = [0xff, 0xc3, 0x80, 0xed][rng.below(4)];
            }
        }
        if rng.chance(10) {
            bytes.splice(0..0, [0xEF, 0xBB, 0xBF]);
        }
        let shown = String::from_utf8_lossy(&bytes).into_owned();
        let _ = no_panic(&shown, || read_all(bytes));
    }
}

/// A cell as people type them: quotes, delimiters, line breaks of every kind, non-ASCII.
fn random_cell(rng: &mut Rng) -> String {
    const PIECES: &[&str] = &[
        "fan", "\"", ",", ";", "\t", "\n", "\r\n", "\r", " ", "12.50", "é", "日本", "x\"y", "'",
    ];
    if rng.chance(5) {
        return String::new();
    }
    let mut s = String::new();
    for _ in 0..=rng.below(6) {
        s.push_str(rng.pick(PIECES));
    }
    s
}

#[test]
fn fuzz_csv_tables_read_back_cell_for_cell() {
    let mut rng = Rng::new(7);
    for case in 0..cases(1_000) {
        let width = 1 + rng.below(6);
        let height = 1 + rng.below(8);
        let table: Vec<Vec<String>> = (0..height)
            .map(|_| (0..width).map(|_| random_cell(&mut rng)).collect())
            .collect();
        let mut writer = csv::WriterBuilder::new()
            .quote_style(csv::QuoteStyle::Always)
            .terminator(if case % 2 == 0 {
                csv::Terminator::CRLF
            } else {
                csv::Terminator::Any(b'\n')
            })
            .from_writer(Vec::new());
        for row in &table {
            writer.write_record(row).unwrap();
        }
        let bytes = writer.into_inner().unwrap();
        let shown = String::from_utf8_lossy(&bytes).into_owned();
        let got = read_all(bytes).unwrap_or_else(|e| panic!("{shown:?}: {e}"));
        let want: Vec<Result<Vec<String>, String>> = table.into_iter().map(Ok).collect();
        assert_eq!(got, want, "{shown:?}");
    }
}

#[test]
fn fuzz_csv_huge_cells_are_refused_and_reading_goes_on() {
    let mut rng = Rng::new(8);
    for _ in 0..cases(4) {
        let size = MAX_ROW + 1 + rng.below(MAX_ROW);
        let mut bytes = b"name,note\n".to_vec();
        bytes.extend_from_slice(b"a,\"");
        bytes.extend(std::iter::repeat_n(b'x', size));
        bytes.extend_from_slice(b"\"\nb,after\n");
        let rows = read_all(bytes).unwrap();
        assert_eq!(rows.len(), 3, "header, the huge row, the next one");
        assert!(rows[1].is_err(), "the huge row is unreadable");
        assert_eq!(rows[2], Ok(vec!["b".to_string(), "after".to_string()]));
    }
}

/// Found by [`fuzz_dates_never_panic_and_stay_within_years_0_to_9999`]: a four-byte offset whose
/// middle falls inside a character panicked (`split_at` off a char boundary).
#[test]
fn regression_an_offset_holding_a_multibyte_character_is_an_error() {
    for input in ["2026-01-01T12:00+1é1", "12/01/2026 12:00-日1"] {
        let got = no_panic(input, || parse_datetime(input, DateOrder::Auto));
        assert!(got.is_err(), "{input:?}: {got:?}");
    }
}

/// Found by the same property: an offset carried 0000-01-01 to the year -1 and 9999-12-31 to
/// 10000 in UTC, which the databases and RFC 3339 output cannot hold.
#[test]
fn regression_offsets_cannot_carry_a_date_out_of_years_0_to_9999() {
    for input in ["0000-01-01T00:00+01:00", "9999-12-31T23:59-01:00"] {
        let err = parse_datetime(input, DateOrder::Auto)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("outside the years 0000 to 9999"),
            "{input:?}: {err}"
        );
    }
    assert!(parse_datetime("0000-01-01T00:00Z", DateOrder::Auto).is_ok());
    assert!(parse_datetime("9999-12-31T23:59:59Z", DateOrder::Auto).is_ok());
}

/// A cell for the column `field`: mostly the kind of value it holds (so rows get past the
/// first check and reach every parser), sometimes anything.
fn export_cell(rng: &mut Rng, field: &str) -> String {
    if rng.chance(8) {
        return random_cell(rng);
    }
    if field.ends_with("_at") || field == "date" {
        return if rng.chance(3) {
            date_like(rng)
        } else {
            random_time(rng).format("%Y-%m-%d %H:%M:%S").to_string()
        };
    }
    match field {
        "total_spent" | "price" | "amount" | "gross" | "fee" | "net" => {
            if rng.chance(3) {
                rng.text(AMOUNT_PIECES, 6)
            } else {
                format!("${}.{:02}", rng.below(100_000), rng.below(100))
            }
        }
        "direction" => rng
            .pick(&["in", "out", "sent", "received", "fan", "creator", "?"])
            .into(),
        "type" | "description" | "status" => rng
            .pick(&[
                "tip",
                "subscription",
                "message",
                "refund",
                "chargeback",
                "active",
                "",
            ])
            .into(),
        "currency" => rng.pick(&["USD", "EUR", "usd", "", "€"]).into(),
        _ => format!("@{}", rng.text(&["fan", "_", "1", "é", "Lou"], 4)),
    }
}

#[test]
fn fuzz_onlyfans_rows_never_panic_the_field_parsers() {
    use socialcrm::import::batch::Parsed;
    use socialcrm::import::reader::ColumnMap;
    use socialcrm::platforms::onlyfans::{EARNINGS, FANS, MESSAGES, rows::Cells};

    let mut rng = Rng::new(9);
    let orders = [
        DateOrder::Auto,
        DateOrder::Iso,
        DateOrder::Mdy,
        DateOrder::Dmy,
    ];
    let mut parsed_rows = 0;
    let total = cases(1_500);
    for case in 0..total {
        let kind = [&FANS, &MESSAGES, &EARNINGS][case % 3];
        // Every field of the kind, shuffled, now and then with a column nobody asked for.
        let mut headers: Vec<String> = kind.fields.iter().map(|f| f.name.to_string()).collect();
        for i in (1..headers.len()).rev() {
            headers.swap(i, rng.below(i + 1));
        }
        if rng.chance(3) {
            headers.push("Notes".into());
        }
        let mut writer = csv::WriterBuilder::new()
            .quote_style(csv::QuoteStyle::Always)
            .from_writer(Vec::new());
        writer.write_record(&headers).unwrap();
        for _ in 0..1 + rng.below(5) {
            let cells: Vec<String> = headers.iter().map(|h| export_cell(&mut rng, h)).collect();
            writer.write_record(&cells).unwrap();
        }
        let bytes = writer.into_inner().unwrap();
        let shown = String::from_utf8_lossy(&bytes).into_owned();
        // A NUL from the generator makes the file binary: refused whole, nothing to parse.
        let Ok(mut rows) = Rows::new(Box::new(Cursor::new(bytes)), Path::new("fuzz.csv")) else {
            continue;
        };
        let header = rows.header().unwrap();
        let map = ColumnMap::build(&header, kind.fields, &[], Path::new("fuzz.csv"))
            .unwrap_or_else(|e| panic!("{shown:?}: {e}"));
        let mut row = Row::default();
        let dates = orders[rng.below(orders.len())];
        let mut keys = socialcrm::import::seen::FileKeys::default();
        while let Next::Row = rows.next(&mut row).unwrap() {
            let mut out = Parsed::default();
            let cells = Cells {
                map: &map,
                row: &row,
                dates,
                account: "default",
            };
            let got = no_panic(
                &shown,
                std::panic::AssertUnwindSafe(|| (kind.parse)(&cells, &mut out, &mut keys)),
            );
            if got.is_ok() {
                parsed_rows += 1;
            }
        }
    }
    // The generator must reach the parsers' accepting paths, not only their refusals.
    assert!(
        parsed_rows >= total / 10,
        "only {parsed_rows} rows were accepted"
    );
}
