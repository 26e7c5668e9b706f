use clap::Subcommand;

/// The `db` subcommands.
#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Apply pending schema migrations (other commands also do this on first use)
    ///
    /// Safe to run any number of times and from several hosts at once: migrations are applied
    /// in order, each with its version, under a lock. A database migrated by a newer socialcrm
    /// is refused, never downgraded.
    Migrate,

    /// Show the backend, location, schema version and row counts per table
    ///
    /// Passwords in the database URL are masked. The schema is not migrated by this command.
    /// On PostgreSQL, a table of 10,000 rows or more shows the server's estimate (from its
    /// statistics, marked `estimate`; it lags behind recent writes until autovacuum analyzes
    /// the table) instead of counting every row; `--exact` counts them all. SQLite always
    /// counts.
    Status {
        /// Count every row of every table, however long it takes (PostgreSQL)
        #[arg(long)]
        exact: bool,
    },
}
