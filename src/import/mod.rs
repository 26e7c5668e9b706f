//! CSV import: turning files that creators export by hand (OnlyFans fans, messages, earnings)
//! into CRM rows, for `socialcrm import-csv onlyfans fans|messages|earnings`.
//!
//! The generic half of the pipeline lives here: reading rows with bounded memory and mapping
//! headers to fields ([`reader`]), parsing cells ([`values`]), and collecting a batch's records
//! ([`batch`]), refusing a key the file gave before ([`seen`]). What a platform's rows mean is in `platforms/<platform>/`; the command that
//! drives it all (a parsing thread feeding a writing one) is `app/import.rs`. Each step is pure
//! where it can be, so the messy formats of `shared/platforms/onlyfans.md` section 3 are tested
//! without files or a database.
//!
//! What it must never do: guess silently. A value that could mean two things (`03-04-2026`) is
//! an error naming the flag that settles it. [`values`] never allocates per character and never
//! uses floats for money: amounts are exact integer cents.

pub mod batch;
pub mod reader;
pub mod seen;
pub mod values;

/// Reduces a CSV header to the key used for column mapping, so that "Total Spent ($)",
/// "total_spent" and "TotalSpent" all find the same column whatever the exporter's habits.
///
/// Lowercases, drops a UTF-8 byte-order mark (spreadsheet tools put one before the first
/// header) and keeps only ASCII letters and digits.
pub fn normalize_header(h: &str) -> String {
    h.strip_prefix('\u{feff}')
        .unwrap_or(h)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::normalize_header;

    #[test]
    fn normalize_header_keeps_lowercase_ascii_alphanumerics() {
        assert_eq!(normalize_header("Total Spent ($)"), "totalspent");
        assert_eq!(normalize_header("\u{feff}User Name"), "username");
        assert_eq!(normalize_header("total_spent"), "totalspent");
        assert_eq!(normalize_header("  Tips-Sent 2 "), "tipssent2");
        assert_eq!(normalize_header("Преимя"), "");
        assert_eq!(normalize_header(""), "");
    }
}
