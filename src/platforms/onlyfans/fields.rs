//! The columns of each OnlyFans export kind, with the headers exports and third-party tools use
//! for them (shared/platforms/onlyfans.md, section 3), in normalized form (lowercase ASCII
//! alphanumerics, see `import::normalize_header`).
//!
//! Row conversion (`rows.rs`) reads cells by the position constants next to each table; a unit
//! test holds the two together.

use crate::import::reader::FieldSpec;

const fn field(name: &'static str, aliases: &'static [&'static str]) -> FieldSpec {
    FieldSpec { name, aliases }
}

const FAN_ID_ALIASES: &[&str] = &["fanid", "userid", "subscriberid", "fanuserid"];
const USERNAME_ALIASES: &[&str] = &[
    "username",
    "user",
    "handle",
    "fanusername",
    "fanhandle",
    "fan",
    "subscriber",
];

/// A subscribers export: one row per fan, with status, dates and lifetime spend.
pub mod fans {
    use super::*;

    /// The columns, in the order of the position constants below.
    pub const FIELDS: &[FieldSpec] = &[
        field(
            "fan_id",
            &["fanid", "userid", "id", "subscriberid", "fanuserid"],
        ),
        field("username", USERNAME_ALIASES),
        field(
            "display_name",
            &[
                "name",
                "displayname",
                "fanname",
                "fandisplayname",
                "fullname",
            ],
        ),
        field("status", &["status", "subscriptionstatus", "substatus"]),
        field(
            "subscribed_at",
            &[
                "subscribedat",
                "subscribed",
                "startdate",
                "subscriptionstart",
                "joindate",
                "joined",
                "subscribedon",
                "firstseen",
            ],
        ),
        field(
            "last_active_at",
            &[
                "lastactive",
                "lastactiveat",
                "lastseen",
                "lastseenat",
                "lastactivity",
            ],
        ),
        field(
            "total_spent",
            &[
                "totalspent",
                "lifetimespend",
                "spent",
                "totalspend",
                "lifetimevalue",
                "totalearnings",
            ],
        ),
        field("currency", &["currency"]),
        field(
            "referral",
            &[
                "referral",
                "referrer",
                "referredby",
                "referralsource",
                "source",
                "trackinglink",
                "trackinglinkname",
                "campaign",
                "campaignname",
                "subscribedvia",
                "via",
            ],
        ),
        field("email", &["email", "emailaddress", "mail"]),
    ];
    /// OnlyFans' user id: the fan's key when present.
    pub const FAN_ID: usize = 0;
    /// The handle (`@` dropped); the key, lowercased, when there is no id.
    pub const USERNAME: usize = 1;
    /// The shown name.
    pub const DISPLAY_NAME: usize = 2;
    /// Subscription status, stored lowercase.
    pub const STATUS: usize = 3;
    /// When the subscription began: also the fan's first seen time.
    pub const SUBSCRIBED_AT: usize = 4;
    /// The fan's last seen time.
    pub const LAST_ACTIVE_AT: usize = 5;
    /// Lifetime spend (an amount, maybe with its currency sign), stored in cents.
    pub const TOTAL_SPENT: usize = 6;
    /// ISO 4217 code of the spend; else the amount's sign says, else USD.
    pub const CURRENCY: usize = 7;
    /// Where the fan came from: a referral or tracking-link column (evidence for `people
    /// suggest`, never required).
    pub const REFERRAL: usize = 8;
    /// An email column: third-party subscriber exports carry one; OnlyFans itself would not.
    pub const EMAIL: usize = 9;

    /// A fan needs a name or an id.
    pub const REQUIRED: &[&[&str]] = &[&["username", "fan_id"]];
}

/// A messages export: one row per DM, either direction.
pub mod messages {
    use super::*;

    /// The columns, in the order of the position constants below.
    pub const FIELDS: &[FieldSpec] = &[
        field("message_id", &["messageid", "id", "msgid"]),
        field("fan_id", FAN_ID_ALIASES),
        field("username", USERNAME_ALIASES),
        // Not "from" or "sender": in exports those columns hold a name more often than a side.
        field(
            "direction",
            &["direction", "sentby", "inout", "sentorreceived"],
        ),
        field(
            "body",
            &["body", "text", "message", "content", "messagetext"],
        ),
        field(
            "sent_at",
            &[
                "sentat",
                "date",
                "time",
                "timestamp",
                "createdat",
                "datetime",
                "sent",
            ],
        ),
        field("price", &["price", "ppvprice", "amount", "cost"]),
    ];
    /// The export's message id; without it the key is a hash of fan, time, direction and text.
    pub const MESSAGE_ID: usize = 0;
    /// The correspondent's user id.
    pub const FAN_ID: usize = 1;
    /// The correspondent's handle, when there is no id.
    pub const USERNAME: usize = 2;
    /// `in` or `out`, in any of the words exports use (received/sent, fan/creator, ...).
    pub const DIRECTION: usize = 3;
    /// The text.
    pub const BODY: usize = 4;
    /// When it was sent (required).
    pub const SENT_AT: usize = 5;
    /// A paid message's price: above zero, the message is `ppv`.
    pub const PRICE: usize = 6;

    /// A message needs its fan, time and direction.
    pub const REQUIRED: &[&[&str]] = &[&["username", "fan_id"], &["sent_at"], &["direction"]];
}

/// An earnings statement: one row per transaction, written as analytics events.
pub mod earnings {
    use super::*;

    /// The columns, in the order of the position constants below.
    pub const FIELDS: &[FieldSpec] = &[
        field(
            "transaction_id",
            &["transactionid", "id", "txid", "reference", "ref"],
        ),
        field(
            "occurred_at",
            &[
                "occurredat",
                "date",
                "createdat",
                "time",
                "datetime",
                "transactiondate",
            ],
        ),
        field(
            "type",
            &["type", "category", "transactiontype", "kind", "earningtype"],
        ),
        field("fan_id", FAN_ID_ALIASES),
        field("username", USERNAME_ALIASES),
        field("description", &["description", "details", "note"]),
        field(
            "gross",
            &["gross", "grossamount", "amount", "total", "price"],
        ),
        field("fee", &["fee", "platformfee", "feeamount", "fees"]),
        field("net", &["net", "netamount", "earnings", "youreceive"]),
        field("currency", &["currency"]),
        field("status", &["status"]),
    ];
    /// The statement's id; without it the key is a hash of time, type, fan and amount.
    pub const TRANSACTION_ID: usize = 0;
    /// When the payment happened (required).
    pub const OCCURRED_AT: usize = 1;
    /// Subscription, tip, message, refund, ...: the metric's suffix (else read from the description).
    pub const TYPE: usize = 2;
    /// The paying fan's user id.
    pub const FAN_ID: usize = 3;
    /// The paying fan's handle (else one the description names).
    pub const USERNAME: usize = 4;
    /// Free text; the type and the fan are read from it when their columns are absent.
    pub const DESCRIPTION: usize = 5;
    /// What the fan paid (refunds and chargebacks count negative).
    pub const GROSS: usize = 6;
    /// What OnlyFans kept.
    pub const FEE: usize = 7;
    /// What the creator received; never more than gross.
    pub const NET: usize = 8;
    /// ISO 4217 code; else an amount's sign says, else USD.
    pub const CURRENCY: usize = 9;
    /// Recognised in the header, not stored.
    pub const STATUS: usize = 10;

    /// A payment needs its time and an amount.
    pub const REQUIRED: &[&[&str]] = &[&["occurred_at"], &["gross", "net"]];
}

/// Tracking-link statistics. OnlyFans shows them per link (its "Tracking links" page: campaign
/// name, URL, clicks, subscribers, revenue, created date; the same fields OnlyFans API services
/// return as `campaignName`, `campaignUrl`, `clicksCount`, `subscribersCount`, `revenue.total`,
/// `createdAt`); agency tools export "Clicks", "Subs", "Revenue" per link, optionally per
/// period. `endDate` is the link's expiry there, not a period end: it is not read.
pub mod links {
    use super::*;

    /// The columns, in the order of the position constants below.
    pub const FIELDS: &[FieldSpec] = &[
        field(
            "name",
            &[
                "name",
                "linkname",
                "campaignname",
                "campaign",
                "trackinglink",
                "trackinglinkname",
                "title",
                "label",
            ],
        ),
        field(
            "url",
            &[
                "url",
                "linkurl",
                "campaignurl",
                "link",
                "trackingurl",
                "trackinglinkurl",
            ],
        ),
        field(
            "clicks",
            &["clicks", "clickscount", "totalclicks", "visits"],
        ),
        field(
            "subscribers",
            &[
                "subscribers",
                "subscriberscount",
                "subs",
                "claims",
                "newsubscribers",
                "newfans",
                "fans",
            ],
        ),
        field(
            "revenue",
            &[
                "revenue",
                "revenuetotal",
                "totalrevenue",
                "earnings",
                "totalearnings",
                "grossrevenue",
            ],
        ),
        field("currency", &["currency"]),
        field(
            "period_start",
            &[
                "periodstart",
                "from",
                "periodfrom",
                "date",
                "day",
                "week",
                "month",
            ],
        ),
        field("period_end", &["periodend", "to", "periodto", "until"]),
        field(
            "created_at",
            &[
                "createdat",
                "created",
                "createddate",
                "createdon",
                "linkcreated",
            ],
        ),
    ];
    /// The creator's label for the link.
    pub const NAME: usize = 0;
    /// The link; normalised, with the period, it is the row's key.
    pub const URL: usize = 1;
    /// Clicks.
    pub const CLICKS: usize = 2;
    /// Subscribers it brought.
    pub const SUBSCRIBERS: usize = 3;
    /// Revenue it brought, stored in cents.
    pub const REVENUE: usize = 4;
    /// ISO 4217 code of the revenue.
    pub const CURRENCY: usize = 5;
    /// The row's period start; without a period the row is the link's lifetime.
    pub const PERIOD_START: usize = 6;
    /// The row's period end; not before its start.
    pub const PERIOD_END: usize = 7;
    /// When the link was made.
    pub const CREATED_AT: usize = 8;

    /// A link needs its URL and a figure.
    pub const REQUIRED: &[&[&str]] = &[&["url"], &["clicks", "subscribers", "revenue"]];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn position_constants_name_their_fields() {
        let check = |fields: &[FieldSpec], pairs: &[(usize, &str)]| {
            assert_eq!(fields.len(), pairs.len());
            for (i, name) in pairs {
                assert_eq!(fields[*i].name, *name);
            }
        };
        use fans as f;
        check(
            f::FIELDS,
            &[
                (f::FAN_ID, "fan_id"),
                (f::USERNAME, "username"),
                (f::DISPLAY_NAME, "display_name"),
                (f::STATUS, "status"),
                (f::SUBSCRIBED_AT, "subscribed_at"),
                (f::LAST_ACTIVE_AT, "last_active_at"),
                (f::TOTAL_SPENT, "total_spent"),
                (f::CURRENCY, "currency"),
                (f::REFERRAL, "referral"),
                (f::EMAIL, "email"),
            ],
        );
        use messages as m;
        check(
            m::FIELDS,
            &[
                (m::MESSAGE_ID, "message_id"),
                (m::FAN_ID, "fan_id"),
                (m::USERNAME, "username"),
                (m::DIRECTION, "direction"),
                (m::BODY, "body"),
                (m::SENT_AT, "sent_at"),
                (m::PRICE, "price"),
            ],
        );
        use earnings as e;
        check(
            e::FIELDS,
            &[
                (e::TRANSACTION_ID, "transaction_id"),
                (e::OCCURRED_AT, "occurred_at"),
                (e::TYPE, "type"),
                (e::FAN_ID, "fan_id"),
                (e::USERNAME, "username"),
                (e::DESCRIPTION, "description"),
                (e::GROSS, "gross"),
                (e::FEE, "fee"),
                (e::NET, "net"),
                (e::CURRENCY, "currency"),
                (e::STATUS, "status"),
            ],
        );
        use links as l;
        check(
            l::FIELDS,
            &[
                (l::NAME, "name"),
                (l::URL, "url"),
                (l::CLICKS, "clicks"),
                (l::SUBSCRIBERS, "subscribers"),
                (l::REVENUE, "revenue"),
                (l::CURRENCY, "currency"),
                (l::PERIOD_START, "period_start"),
                (l::PERIOD_END, "period_end"),
                (l::CREATED_AT, "created_at"),
            ],
        );
        for kind in [f::REQUIRED, m::REQUIRED, e::REQUIRED, l::REQUIRED] {
            for name in kind.iter().flat_map(|g| g.iter()) {
                let all = [f::FIELDS, m::FIELDS, e::FIELDS, l::FIELDS];
                assert!(all.iter().any(|fs| fs.iter().any(|x| x.name == *name)));
            }
        }
    }
}
