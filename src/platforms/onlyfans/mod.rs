//! OnlyFans: no API, no OAuth; creators export CSV files and import them.
//!
//! This holds what is OnlyFans-specific about those files: the headers exports and third-party
//! tools use for each field (shared/platforms/onlyfans.md, section 3), and how a row becomes a
//! CRM record. Reading and header matching are generic (`import/reader.rs`).

use csv::StringRecord;

use crate::import::reader::{ColumnMap, FieldSpec};
use crate::import::values::{DateOrder, parse_amount, parse_datetime};
use crate::store::model::Fan;

/// The fan fields, with header aliases in normalized form (lowercase ASCII alphanumerics).
pub const FAN_FIELDS: &[FieldSpec] = &[
    FieldSpec {
        name: "fan_id",
        aliases: &["fanid", "userid", "id", "subscriberid", "fanuserid"],
    },
    FieldSpec {
        name: "username",
        aliases: &[
            "username",
            "user",
            "handle",
            "fanusername",
            "fanhandle",
            "fan",
        ],
    },
    FieldSpec {
        name: "display_name",
        aliases: &[
            "name",
            "displayname",
            "fanname",
            "fandisplayname",
            "fullname",
        ],
    },
    FieldSpec {
        name: "status",
        aliases: &["status", "subscriptionstatus", "substatus"],
    },
    FieldSpec {
        name: "subscribed_at",
        aliases: &[
            "subscribedat",
            "subscribed",
            "startdate",
            "subscriptionstart",
            "joindate",
            "joined",
            "subscribedon",
            "firstseen",
        ],
    },
    FieldSpec {
        name: "last_active_at",
        aliases: &[
            "lastactive",
            "lastactiveat",
            "lastseen",
            "lastseenat",
            "lastactivity",
        ],
    },
    FieldSpec {
        name: "total_spent",
        aliases: &[
            "totalspent",
            "lifetimespend",
            "spent",
            "totalspend",
            "lifetimevalue",
            "totalearnings",
        ],
    },
    FieldSpec {
        name: "currency",
        aliases: &["currency"],
    },
];

const FAN_ID: usize = 0;
const USERNAME: usize = 1;
const DISPLAY_NAME: usize = 2;
const STATUS: usize = 3;
const SUBSCRIBED_AT: usize = 4;
const LAST_ACTIVE_AT: usize = 5;
const TOTAL_SPENT: usize = 6;
const CURRENCY: usize = 7;

/// A fan export needs one of these to key its rows.
pub const FAN_KEYS: &[&str] = &["username", "fan_id"];

/// The longest cell a real export has is a few hundred characters (a note); anything far
/// longer is a broken file, refused rather than stored.
const MAX_CELL: usize = 4096;

/// One row of a fans export as a CRM fan, or the reason it is rejected.
pub fn fan_from_row(map: &ColumnMap, row: &StringRecord, dates: DateOrder) -> Result<Fan, String> {
    if let Some(long) = row.iter().find(|c| c.len() > MAX_CELL) {
        return Err(format!(
            "a cell is {} bytes long (at most {MAX_CELL})",
            long.len()
        ));
    }
    let username = map
        .get(row, USERNAME)
        .map(|u| u.trim_start_matches('@').to_string());
    let id = map.get(row, FAN_ID).map(str::to_string);
    // Keyed by the platform's id when the export has one, else by the username.
    let platform_user_id = match (&id, &username) {
        (Some(id), _) => id.clone(),
        (None, Some(name)) if !name.is_empty() => name.to_lowercase(),
        _ => return Err("no username or fan id".into()),
    };
    let date = |field: usize, name: &str| {
        map.get(row, field)
            .map(|v| parse_datetime(v, dates).map_err(|e| format!("{name}: {e}")))
            .transpose()
            .map(Option::flatten)
    };
    let spent = map
        .get(row, TOTAL_SPENT)
        .map(|v| parse_amount(v).map_err(|e| format!("total_spent: {e}")))
        .transpose()?
        .flatten();
    let currency = map
        .get(row, CURRENCY)
        .map(|c| c.to_ascii_uppercase())
        .or_else(|| spent.as_ref().and_then(|m| m.currency.clone()));
    Ok(Fan {
        platform: "onlyfans".into(),
        platform_user_id,
        username,
        display_name: map.get(row, DISPLAY_NAME).map(str::to_string),
        status: map.get(row, STATUS).map(str::to_lowercase),
        first_seen_at: date(SUBSCRIBED_AT, "subscribed_at")?,
        last_seen_at: date(LAST_ACTIVE_AT, "last_active_at")?,
        lifetime_spend_cents: spent.as_ref().map(|m| m.cents),
        currency: currency.or_else(|| spent.as_ref().map(|_| "USD".to_string())),
        source: "csv".into(),
    })
}

/// Shown once per database before the first OnlyFans import.
pub const COMPLIANCE_NOTICE: &str = "note: OnlyFans has no public API. socialcrm imports only the \
files you export yourself while logged in (fan lists, statements); it never scrapes or logs in for \
you. The data belongs to the creator and describes real people: keep the CRM private and delete \
fans on request.";
