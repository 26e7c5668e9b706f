//! The identity graph (schema v16, v18): people, their links to fan identities, the operators'
//! decisions, and the reads `people suggest` blocks its candidates with.
//!
//! Every write is one transaction holding the decision row, the graph's change and the audit
//! entry, so the log never names a change that did not happen (nor misses one). Unlinking
//! deletes exactly the rows linking added: a person left with one identity is no person, so
//! its last link and the person go too, and the graph is as it was before the link.

use super::{SqlStore, direction, limit};
use crate::store::generic::Conn;
use crate::store::keyset::{Key, KeyKind, Keyset};
use crate::store::model::*;
use crate::store::sql::Query;
use crate::store::tables;
use crate::store::value::{Row, Value};
use crate::store::{Batch, PeopleStore, StoreError};

const P_ID: Key = Key::new("pp.id", KeyKind::Int);
const P_SPEND: Key = Key::nullable("pp.spend_cents", KeyKind::Int);
const P_LAST_SEEN: Key = Key::nullable("pp.last_seen_at", KeyKind::Time);

/// The columns of a [`CandidateFan`]; `?` is the account `in_account` is about.
const CANDIDATE: &str = "SELECT f.id, f.platform, f.platform_user_id, f.username, f.display_name, \
     f.handle_key, f.handle_stem, pl.person_id, ";
const CANDIDATE_FROM: &str = " FROM fans f LEFT JOIN person_links pl ON pl.fan_id = f.id";

fn marks(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// ` AND f.id IN (...)` with `fans`' ids pushed onto `values`, or nothing for no fans: the
/// paged passes read every fan's rows, or only those of the fans asked about.
fn only_fans(values: &mut Vec<Value>, fans: &[i64]) -> String {
    if fans.is_empty() {
        return String::new();
    }
    values.extend(fans.iter().map(|&f| Value::Int(f)));
    format!(" AND f.id IN ({})", marks(fans.len()))
}

/// A contact with its identity's id and platform.
const CONTACT_FAN: &str = "SELECT c.id AS contact_id, c.kind, c.value, f.id AS fan_id, f.platform \
     FROM fan_contacts c JOIN fans f ON f.platform = c.platform \
     AND f.platform_user_id = c.platform_user_id";

fn contact_row(r: &Row) -> Result<ContactFan, StoreError> {
    Ok(ContactFan {
        contact_id: r.i64("contact_id")?,
        kind: r.text("kind")?,
        value: r.text("value")?,
        fan_id: r.i64("fan_id")?,
        platform: r.platform("platform")?,
    })
}

fn candidate_row(r: &Row) -> Result<CandidateFan, StoreError> {
    Ok(CandidateFan {
        id: r.i64("id")?,
        platform: r.platform("platform")?,
        platform_user_id: r.text("platform_user_id")?,
        username: r.opt_text("username")?,
        display_name: r.opt_text("display_name")?,
        handle_key: r.opt_text("handle_key")?,
        handle_stem: r.opt_text("handle_stem")?,
        person_id: r.opt_i64("person_id")?,
        in_account: r.i64("in_account")? != 0,
    })
}

fn person_row(r: &Row) -> Result<PersonRow, StoreError> {
    Ok(PersonRow {
        id: r.i64("id")?,
        identities: r.i64("identities")?,
        platforms: r.i64("platforms")?,
        platform_names: String::new(),
        usernames: String::new(),
        spend_cents: r.opt_i64("spend_cents")?,
        last_seen_at: r.opt_time("last_seen_at")?,
        created_at: r.time("created_at")?,
    })
}

impl<C: Conn> SqlStore<C> {
    fn insert_decision(
        &mut self,
        d: &PersonDecision,
        person: Option<i64>,
        fans: &[i64],
    ) -> Result<i64, StoreError> {
        let ids = serde_json::to_string(fans).expect("ids serialize");
        let q = Query::with_params(
            self.dialect(),
            "INSERT INTO person_decisions (action, person_id, fan_ids, operator, evidence, note, \
             decided_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [
                d.action.as_str().into(),
                person.into(),
                ids.into(),
                d.operator.as_str().into(),
                (&d.evidence).into(),
                (&d.note).into(),
                Value::Time(d.decided_at),
            ],
        );
        let (sql, params) = q.finish("", []);
        let rows = self.conn.query(&sql, &params)?;
        rows.first()
            .ok_or_else(|| StoreError::Decode("no decision id returned".into()))?
            .i64("id")
    }

    fn exec(&mut self, sql: &str, values: Vec<Value>) -> Result<Vec<Row>, StoreError> {
        let (sql, params) = Query::with_params(self.dialect(), sql, values).finish("", []);
        self.conn.query(&sql, &params)
    }

    fn audit(&mut self, audit: &AuditEntry, detail: String) -> Result<(), StoreError> {
        let mut entry = audit.clone();
        entry.detail = Some(detail);
        self.upsert_batch(Batch::Audit(std::slice::from_ref(&entry)))?;
        Ok(())
    }

    /// The aggregate every person row is read from, as `pp`, with its parameters.
    fn people_aggregate(&self, account: &Option<String>) -> (String, Vec<Value>) {
        let (join, values) = match account {
            Some(a) => (" AND fa.account = ?", vec![Value::from(a.as_str())]),
            None => ("", vec![]),
        };
        let having = if account.is_some() {
            " HAVING COUNT(fa.id) > 0"
        } else {
            ""
        };
        (
            format!(
                "SELECT * FROM (SELECT p.id, p.created_at, COUNT(DISTINCT f.id) AS identities, \
                 COUNT(DISTINCT f.platform) AS platforms, \
                 CAST(SUM(fa.lifetime_spend_cents) AS BIGINT) AS spend_cents, \
                 MAX(fa.last_seen_at) AS last_seen_at \
                 FROM people p JOIN person_links pl ON pl.person_id = p.id \
                 JOIN fans f ON f.id = pl.fan_id \
                 LEFT JOIN fan_accounts fa ON fa.platform = f.platform \
                 AND fa.platform_user_id = f.platform_user_id{join} \
                 GROUP BY p.id, p.created_at{having}) pp"
            ),
            values,
        )
    }

    /// The listing's statement: the aggregate, filtered, after the cursor, sorted and limited.
    /// The sort keys are aggregates over each person's identities, so no index can hand them
    /// over in order; the aggregate is read from the links' indexes, in proportion to the
    /// linked identities (people exist only by operator decisions), never to all the fans.
    pub(super) fn people_sql(
        &mut self,
        q: &PersonQuery,
    ) -> Result<(String, Vec<Value>), StoreError> {
        let d = self.dialect();
        let keys: &[Key] = match q.sort {
            PersonSort::Id => &[P_ID],
            PersonSort::Spend => &[P_SPEND, P_ID],
            PersonSort::LastSeen => &[P_LAST_SEEN, P_ID],
        };
        let keyset = Keyset::new(keys, direction(q.desc));
        let (aggregate, values) = self.people_aggregate(&q.account);
        let mut query = Query::with_params(d, &aggregate, values.clone());
        if let Some(n) = q.min_platforms {
            query.filter("pp.platforms >= ?", [n.into()]);
        }
        // The aggregate with the keyset's columns in place of its `SELECT *`.
        let lookup = || {
            let from = aggregate
                .strip_prefix("SELECT * FROM ")
                .expect("the aggregate selects *");
            Query::with_params(
                d,
                &format!("SELECT {} FROM {from}", keyset.lookup_columns()),
                values,
            )
        };
        self.keyset_page(query, &keyset, &q.page, ("pp.id", "person"), lookup)
    }

    /// A GROUP BY over the index fans_by_handle_stem (handle_stem, platform): read in
    /// order, one page of stems at a time, never all pairs.
    pub(super) fn blocks_sql(&self, after: &str, rows: u32) -> (String, Vec<Value>) {
        Query::with_params(
            self.dialect(),
            "SELECT f.handle_stem AS stem FROM fans f WHERE f.handle_stem > ? \
             GROUP BY f.handle_stem HAVING COUNT(DISTINCT f.platform) > 1 \
             ORDER BY f.handle_stem LIMIT ?",
            vec![after.into(), limit(rows)],
        )
        .finish("", [])
    }

    fn candidates(
        &mut self,
        column: &str,
        values: Vec<Value>,
        account: &Option<String>,
    ) -> Result<Vec<CandidateFan>, StoreError> {
        if values.is_empty() {
            return Ok(Vec::new());
        }
        let (flag, mut params) = match account {
            Some(a) => (
                "CASE WHEN EXISTS (SELECT 1 FROM fan_accounts fa WHERE fa.platform = f.platform \
                 AND fa.platform_user_id = f.platform_user_id AND fa.account = ?) THEN 1 ELSE 0 END",
                vec![Value::from(a.as_str())],
            ),
            None => ("1", vec![]),
        };
        let n = values.len();
        params.extend(values);
        self.exec(
            &format!(
                "{CANDIDATE}{flag} AS in_account{CANDIDATE_FROM} WHERE {column} IN ({}) \
                 ORDER BY f.handle_stem, f.id",
                marks(n)
            ),
            params,
        )?
        .iter()
        .map(candidate_row)
        .collect()
    }

    pub(super) fn block_members_sql(&self, stems: &[String]) -> (String, Vec<Value>) {
        Query::with_params(
            self.dialect(),
            &format!(
                "SELECT f.id, f.platform, f.display_name, f.handle_key, f.handle_stem FROM fans f \
                 WHERE f.handle_stem IN ({}) ORDER BY f.handle_stem",
                marks(stems.len())
            ),
            stems.iter().map(Value::from).collect::<Vec<_>>(),
        )
        .finish("", [])
    }

    /// Runs `sql`, whose `{ids}` is the list of `fans`' ids (and then `extra`), for one
    /// integer pair per row; nothing for no fans.
    fn id_pairs(
        &mut self,
        sql: &str,
        fans: &[i64],
        extra: Vec<Value>,
        columns: (&str, &str),
    ) -> Result<Vec<(i64, i64)>, StoreError> {
        if fans.is_empty() {
            return Ok(Vec::new());
        }
        let mut values: Vec<Value> = fans.iter().map(|&f| Value::Int(f)).collect();
        values.extend(extra);
        self.exec(&sql.replace("{ids}", &marks(fans.len())), values)?
            .iter()
            .map(|r| Ok((r.i64(columns.0)?, r.i64(columns.1)?)))
            .collect()
    }
}

impl<C: Conn> PeopleStore for SqlStore<C> {
    fn link_fans(
        &mut self,
        fans: &[i64],
        decision: &PersonDecision,
        audit: &AuditEntry,
    ) -> Result<LinkOutcome, StoreError> {
        let mut fans = fans.to_vec();
        fans.sort_unstable();
        fans.dedup();
        self.write_tx(|s| {
            let found = s.exec(
                &format!(
                    "SELECT f.id, pl.person_id FROM fans f LEFT JOIN person_links pl \
                     ON pl.fan_id = f.id WHERE f.id IN ({}) ORDER BY f.id",
                    marks(fans.len())
                ),
                fans.iter().map(|&f| Value::Int(f)).collect(),
            )?;
            let mut linked: Vec<(i64, Option<i64>)> = Vec::new();
            for r in &found {
                linked.push((r.i64("id")?, r.opt_i64("person_id")?));
            }
            if let Some(missing) = fans.iter().find(|f| !linked.iter().any(|(id, _)| id == *f)) {
                return Ok(LinkOutcome::UnknownFan(*missing));
            }
            let mut people: Vec<i64> = linked.iter().filter_map(|(_, p)| *p).collect();
            people.sort_unstable();
            people.dedup();
            if people.len() > 1 {
                return Ok(LinkOutcome::Conflict {
                    people: linked
                        .iter()
                        .filter_map(|(f, p)| p.map(|p| (*f, p)))
                        .collect(),
                });
            }
            let added: Vec<i64> = linked
                .iter()
                .filter(|(_, p)| p.is_none())
                .map(|(f, _)| *f)
                .collect();
            if added.is_empty() {
                return Ok(LinkOutcome::Linked {
                    person_id: people[0],
                    decision_id: None,
                    created: false,
                    added,
                });
            }
            let now = Value::Time(decision.decided_at);
            let decision_id = s.insert_decision(decision, people.first().copied(), &fans)?;
            let (person_id, created) = match people.first() {
                Some(&p) => (p, false),
                None => {
                    let rows = s.exec(
                        "INSERT INTO people (decision_id, created_at) VALUES (?, ?) RETURNING id",
                        vec![decision_id.into(), now.clone()],
                    )?;
                    let id = rows
                        .first()
                        .ok_or_else(|| StoreError::Decode("no person id returned".into()))?
                        .i64("id")?;
                    s.exec(
                        "UPDATE person_decisions SET person_id = ? WHERE id = ? RETURNING id",
                        vec![id.into(), decision_id.into()],
                    )?;
                    (id, true)
                }
            };
            for f in &added {
                s.exec(
                    "INSERT INTO person_links (fan_id, person_id, decision_id, linked_at) \
                     VALUES (?, ?, ?, ?) RETURNING fan_id",
                    vec![
                        (*f).into(),
                        person_id.into(),
                        decision_id.into(),
                        now.clone(),
                    ],
                )?;
            }
            s.audit(
                audit,
                format!(
                    "person {person_id}: linked fans {} (decision {decision_id})",
                    join_ids(&added)
                ),
            )?;
            Ok(LinkOutcome::Linked {
                person_id,
                decision_id: Some(decision_id),
                created,
                added: added.clone(),
            })
        })
    }

    fn unlink_fan(
        &mut self,
        fan: i64,
        decision: &PersonDecision,
        audit: &AuditEntry,
    ) -> Result<Option<UnlinkOutcome>, StoreError> {
        self.write_tx(|s| {
            let rows = s.exec(
                "SELECT person_id FROM person_links WHERE fan_id = ?",
                vec![fan.into()],
            )?;
            let Some(person_id) = rows.first().map(|r| r.i64("person_id")).transpose()? else {
                return Ok(None);
            };
            let decision_id = s.insert_decision(decision, Some(person_id), &[fan])?;
            s.exec(
                "DELETE FROM person_links WHERE fan_id = ? RETURNING fan_id",
                vec![fan.into()],
            )?;
            let mut removed = vec![fan];
            let left = s.exec(
                "SELECT fan_id FROM person_links WHERE person_id = ? ORDER BY fan_id",
                vec![person_id.into()],
            )?;
            let dissolved = left.len() <= 1;
            if dissolved {
                for r in &left {
                    removed.push(r.i64("fan_id")?);
                }
                s.exec(
                    "DELETE FROM person_links WHERE person_id = ? RETURNING fan_id",
                    vec![person_id.into()],
                )?;
                s.exec(
                    "DELETE FROM people WHERE id = ? RETURNING id",
                    vec![person_id.into()],
                )?;
            }
            s.audit(
                audit,
                format!(
                    "person {person_id}: unlinked fans {}{} (decision {decision_id})",
                    join_ids(&removed),
                    if dissolved { ", person dissolved" } else { "" }
                ),
            )?;
            Ok(Some(UnlinkOutcome {
                person_id,
                decision_id,
                removed: removed.clone(),
                dissolved,
            }))
        })
    }

    fn reject_pair(
        &mut self,
        pair: (i64, i64),
        decision: &PersonDecision,
        audit: &AuditEntry,
    ) -> Result<i64, StoreError> {
        let (low, high) = (pair.0.min(pair.1), pair.0.max(pair.1));
        self.write_tx(|s| {
            let decision_id = s.insert_decision(decision, None, &[low, high])?;
            s.exec(
                "INSERT INTO person_rejections (fan_low, fan_high, decision_id) VALUES (?, ?, ?) \
                 ON CONFLICT (fan_low, fan_high) DO NOTHING RETURNING fan_low",
                vec![low.into(), high.into(), decision_id.into()],
            )?;
            s.audit(
                audit,
                format!("rejected pair of fans {low}, {high} (decision {decision_id})"),
            )?;
            Ok(decision_id)
        })
    }

    fn person_of(&mut self, fan: i64) -> Result<Option<i64>, StoreError> {
        self.exec(
            "SELECT person_id FROM person_links WHERE fan_id = ?",
            vec![fan.into()],
        )?
        .first()
        .map(|r| r.i64("person_id"))
        .transpose()
    }

    fn person_identities(&mut self, person: i64) -> Result<Vec<FanIdentity>, StoreError> {
        self.exec(
            "SELECT f.* FROM person_links pl JOIN fans f ON f.id = pl.fan_id \
             WHERE pl.person_id = ? ORDER BY f.id",
            vec![person.into()],
        )?
        .iter()
        .map(tables::fan_identity_row)
        .collect()
    }

    fn list_people(&mut self, q: &PersonQuery) -> Result<Vec<PersonRow>, StoreError> {
        let (sql, params) = self.people_sql(q)?;
        let mut people: Vec<PersonRow> = self
            .conn
            .query(&sql, &params)?
            .iter()
            .map(person_row)
            .collect::<Result<_, _>>()?;
        for p in &mut people {
            let ids = self.person_identities(p.id)?;
            let mut platforms: Vec<&str> = ids.iter().map(|f| f.platform.name()).collect();
            platforms.sort_unstable();
            platforms.dedup();
            p.platform_names = platforms.join(",");
            p.usernames = ids
                .iter()
                .map(|f| format!("{}:{}", f.platform, f.username.as_deref().unwrap_or("?")))
                .collect::<Vec<_>>()
                .join(",");
        }
        Ok(people)
    }

    fn handle_blocks(&mut self, after: &str, rows: u32) -> Result<Vec<String>, StoreError> {
        let (sql, params) = self.blocks_sql(after, rows);
        self.conn
            .query(&sql, &params)?
            .iter()
            .map(|r| r.text("stem"))
            .collect()
    }

    /// The members of a page of blocks, from the stem index alone (it holds every column
    /// read here: schema v18), in stem order.
    fn block_members(&mut self, stems: &[String]) -> Result<Vec<BlockFan>, StoreError> {
        if stems.is_empty() {
            return Ok(Vec::new());
        }
        let (sql, params) = self.block_members_sql(stems);
        self.conn
            .query(&sql, &params)?
            .iter()
            .map(|r| {
                Ok(BlockFan {
                    id: r.i64("id")?,
                    platform: r.platform("platform")?,
                    display_name: r.opt_text("display_name")?,
                    handle_key: r.opt_text("handle_key")?,
                    handle_stem: r.opt_text("handle_stem")?,
                })
            })
            .collect()
    }

    fn fans_by_handle(
        &mut self,
        keys: &[String],
        account: &Option<String>,
    ) -> Result<Vec<CandidateFan>, StoreError> {
        let values = keys.iter().map(Value::from).collect();
        self.candidates("f.handle_key", values, account)
    }

    fn candidate_fans(
        &mut self,
        ids: &[i64],
        account: &Option<String>,
    ) -> Result<Vec<CandidateFan>, StoreError> {
        let values = ids.iter().map(|&i| Value::Int(i)).collect();
        self.candidates("f.id", values, account)
    }

    fn persons_of(&mut self, fans: &[i64]) -> Result<Vec<(i64, i64)>, StoreError> {
        self.id_pairs(
            "SELECT fan_id, person_id FROM person_links WHERE fan_id IN ({ids})",
            fans,
            vec![],
            ("fan_id", "person_id"),
        )
    }

    fn rejections_of(&mut self, fans: &[i64]) -> Result<Vec<(i64, i64)>, StoreError> {
        self.id_pairs(
            "SELECT fan_low, fan_high FROM person_rejections WHERE fan_low IN ({ids})",
            fans,
            vec![],
            ("fan_low", "fan_high"),
        )
    }

    fn known_to(&mut self, fans: &[i64], account: &str) -> Result<Vec<i64>, StoreError> {
        let known = self.id_pairs(
            "SELECT f.id, f.id AS same FROM fans f WHERE f.id IN ({ids}) AND EXISTS \
             (SELECT 1 FROM fan_accounts fa WHERE fa.platform = f.platform \
             AND fa.platform_user_id = f.platform_user_id AND fa.account = ?)",
            fans,
            vec![account.into()],
            ("id", "same"),
        )?;
        Ok(known.into_iter().map(|(id, _)| id).collect())
    }

    /// Emails and links shared across platforms, a page of values at a time, from the
    /// `(kind, value, platform, ...)` key alone (schema v21).
    fn contact_blocks(
        &mut self,
        after: &(String, String),
        rows: u32,
    ) -> Result<Vec<(String, String)>, StoreError> {
        self.exec(
            "SELECT c.kind, c.value FROM fan_contacts c \
             WHERE c.kind IN ('email', 'link') AND (c.kind > ? OR (c.kind = ? AND c.value > ?)) \
             GROUP BY c.kind, c.value HAVING COUNT(DISTINCT c.platform) > 1 \
             ORDER BY c.kind, c.value LIMIT ?",
            vec![
                after.0.as_str().into(),
                after.0.as_str().into(),
                after.1.as_str().into(),
                limit(rows),
            ],
        )?
        .iter()
        .map(|r| Ok((r.text("kind")?, r.text("value")?)))
        .collect()
    }

    fn contact_members(
        &mut self,
        values: &[(String, String)],
    ) -> Result<Vec<ContactFan>, StoreError> {
        if values.is_empty() {
            return Ok(Vec::new());
        }
        let pairs = vec!["(c.kind = ? AND c.value = ?)"; values.len()].join(" OR ");
        let params = values
            .iter()
            .flat_map(|(k, v)| [Value::from(k.as_str()), Value::from(v.as_str())])
            .collect();
        self.exec(
            &format!("{CONTACT_FAN} WHERE {pairs} ORDER BY c.kind, c.value, f.id"),
            params,
        )?
        .iter()
        .map(contact_row)
        .collect()
    }

    fn contacts_page(
        &mut self,
        kind: ContactKind,
        after: i64,
        fans: &[i64],
        rows: u32,
    ) -> Result<Vec<ContactFan>, StoreError> {
        let mut values = vec![Value::from(kind.as_str()), Value::Int(after)];
        let only = only_fans(&mut values, fans);
        values.push(limit(rows));
        self.exec(
            &format!("{CONTACT_FAN} WHERE c.kind = ? AND c.id > ?{only} ORDER BY c.id LIMIT ?"),
            values,
        )?
        .iter()
        .map(contact_row)
        .collect()
    }

    fn relationships_of(&mut self, fans: &[i64]) -> Result<Vec<FanReferral>, StoreError> {
        if fans.is_empty() {
            return Ok(Vec::new());
        }
        self.exec(
            &format!(
                "SELECT f.id AS fan_id, fa.account, fa.referral FROM fans f \
                 JOIN fan_accounts fa ON fa.platform = f.platform \
                 AND fa.platform_user_id = f.platform_user_id WHERE f.id IN ({}) \
                 ORDER BY f.id, fa.account",
                marks(fans.len())
            ),
            fans.iter().map(|&f| Value::Int(f)).collect(),
        )?
        .iter()
        .map(|r| {
            Ok(FanReferral {
                fan_id: r.i64("fan_id")?,
                account: r.text("account")?,
                referral: r.opt_text("referral")?,
            })
        })
        .collect()
    }

    fn has_referrals(&mut self) -> Result<bool, StoreError> {
        let rows = self.exec(
            "SELECT 1 AS found FROM fan_accounts WHERE referral IS NOT NULL LIMIT 1",
            vec![],
        )?;
        Ok(!rows.is_empty())
    }

    fn fan_mentions(
        &mut self,
        after: i64,
        fans: &[i64],
        rows: u32,
    ) -> Result<Vec<MentionSource>, StoreError> {
        let mut values = vec![Value::Int(after)];
        let only = only_fans(&mut values, fans);
        values.push(limit(rows));
        self.exec(
            &format!(
                "SELECT m.id AS message_id, f.id AS fan_id, m.platform, m.body FROM messages m \
                 JOIN fans f ON f.platform = m.platform AND f.platform_user_id = m.fan_platform_user_id \
                 WHERE m.id > ? AND m.direction = 'in' AND m.body IS NOT NULL{only} \
                 ORDER BY m.id LIMIT ?"
            ),
            values,
        )?
        .iter()
        .map(|r| {
            Ok(MentionSource {
                message_id: r.i64("message_id")?,
                fan_id: r.i64("fan_id")?,
                platform: r.platform("platform")?,
                body: r.text("body")?,
            })
        })
        .collect()
    }
}

fn join_ids(ids: &[i64]) -> String {
    ids.iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
