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

pub mod fans {
    use super::*;

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
    pub const FAN_ID: usize = 0;
    pub const USERNAME: usize = 1;
    pub const DISPLAY_NAME: usize = 2;
    pub const STATUS: usize = 3;
    pub const SUBSCRIBED_AT: usize = 4;
    pub const LAST_ACTIVE_AT: usize = 5;
    pub const TOTAL_SPENT: usize = 6;
    pub const CURRENCY: usize = 7;
    /// Where the fan came from: a referral or tracking-link column (evidence for `people
    /// suggest`, never required).
    pub const REFERRAL: usize = 8;
    /// An email column: third-party subscriber exports carry one; OnlyFans itself would not.
    pub const EMAIL: usize = 9;

    pub const REQUIRED: &[&[&str]] = &[&["username", "fan_id"]];
}

pub mod messages {
    use super::*;

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
    pub const MESSAGE_ID: usize = 0;
    pub const FAN_ID: usize = 1;
    pub const USERNAME: usize = 2;
    pub const DIRECTION: usize = 3;
    pub const BODY: usize = 4;
    pub const SENT_AT: usize = 5;
    pub const PRICE: usize = 6;

    pub const REQUIRED: &[&[&str]] = &[&["username", "fan_id"], &["sent_at"], &["direction"]];
}

pub mod earnings {
    use super::*;

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
    pub const TRANSACTION_ID: usize = 0;
    pub const OCCURRED_AT: usize = 1;
    pub const TYPE: usize = 2;
    pub const FAN_ID: usize = 3;
    pub const USERNAME: usize = 4;
    pub const DESCRIPTION: usize = 5;
    pub const GROSS: usize = 6;
    pub const FEE: usize = 7;
    pub const NET: usize = 8;
    pub const CURRENCY: usize = 9;
    pub const STATUS: usize = 10;

    pub const REQUIRED: &[&[&str]] = &[&["occurred_at"], &["gross", "net"]];
}

/// Tracking-link statistics. OnlyFans shows them per link (its "Tracking links" page: campaign
/// name, URL, clicks, subscribers, revenue, created date; the same fields OnlyFans API services
/// return as `campaignName`, `campaignUrl`, `clicksCount`, `subscribersCount`, `revenue.total`,
/// `createdAt`); agency tools export "Clicks", "Subs", "Revenue" per link, optionally per
/// period. `endDate` is the link's expiry there, not a period end: it is not read.
pub mod links {
    use super::*;

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
    pub const NAME: usize = 0;
    pub const URL: usize = 1;
    pub const CLICKS: usize = 2;
    pub const SUBSCRIBERS: usize = 3;
    pub const REVENUE: usize = 4;
    pub const CURRENCY: usize = 5;
    pub const PERIOD_START: usize = 6;
    pub const PERIOD_END: usize = 7;
    pub const CREATED_AT: usize = 8;

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
