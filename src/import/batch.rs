//! The records parsed from a run of rows, waiting to be written together.

use std::collections::HashMap;

use super::seen::KeySet;
use crate::store::Batch;
use crate::store::model::{AnalyticsEvent, Fan, Message, TrackingLink};

/// What a batch of rows became. A messages or earnings export names the same fan on many rows;
/// those fans are folded into one record per batch ([`Parsed::seen_fan`]), and a fan an
/// earlier batch of the file wrote is not written again.
#[derive(Debug, Default)]
pub struct Parsed {
    /// Fans from a fans export, and those the other exports' rows name.
    pub fans: Vec<Fan>,
    /// Messages of a messages export.
    pub messages: Vec<Message>,
    /// Payments of an earnings export, as flow events.
    pub events: Vec<AnalyticsEvent>,
    /// Tracking links' figures of a links export.
    pub links: Vec<TrackingLink>,
    /// Good rows in this batch.
    pub rows: usize,
    seen: HashMap<String, usize>,
}

impl Parsed {
    /// A fan met on a message or payment (on `line`): merged with the same fan met earlier in
    /// the batch (earliest first-seen, latest last-seen, the first name and currency given).
    /// A fan an earlier batch of the file (`file_fans`) wrote is left out: that batch gave
    /// their name and currency, and the import widens their first and last seen to all of
    /// the file's rows once it ends (`Store::refresh_fans_from`). Writing them again per batch
    /// made most batches update thousands of relationships, each a new row version in every
    /// relationship index on PostgreSQL (a messages import took twice the keyed load).
    pub fn seen_fan(&mut self, fan: Fan, file_fans: &mut KeySet, line: u64) {
        match self.seen.get(&fan.platform_user_id) {
            Some(&i) => {
                let known = &mut self.fans[i];
                known.first_seen_at = earliest(known.first_seen_at, fan.first_seen_at);
                known.last_seen_at = known.last_seen_at.max(fan.last_seen_at);
                if known.username.is_none() {
                    known.username = fan.username;
                }
                if known.currency.is_none() {
                    known.currency = fan.currency;
                }
            }
            None => {
                if file_fans.first(&fan.platform_user_id, line).is_ok() {
                    self.seen
                        .insert(fan.platform_user_id.clone(), self.fans.len());
                    self.fans.push(fan);
                }
            }
        }
    }

    /// Records in this batch, of every table: what a batch's memory and write cost grow with
    /// (an earnings row is three events, a messages row may name a new fan).
    pub fn records(&self) -> usize {
        self.fans.len() + self.messages.len() + self.events.len() + self.links.len()
    }

    /// The batches to write, fans first so the other records find them.
    pub fn batches(&self) -> Vec<Batch<'_>> {
        let mut out = Vec::with_capacity(4);
        if !self.fans.is_empty() {
            out.push(Batch::Fans(&self.fans));
        }
        if !self.messages.is_empty() {
            out.push(Batch::Messages(&self.messages));
        }
        if !self.events.is_empty() {
            out.push(Batch::Analytics(&self.events));
        }
        if !self.links.is_empty() {
            out.push(Batch::TrackingLinks(&self.links));
        }
        out
    }
}

fn earliest<T: Ord>(a: Option<T>, b: Option<T>) -> Option<T> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}
