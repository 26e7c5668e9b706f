//! An account's public counters as sync snapshots: what TikTok's and Instagram's `profile`,
//! Reddit's `identity` and X's `user` streams record, read once here so that every platform
//! turns a counter into the same time-series point.
//!
//! The counters are integers (followers, posts, karma): a field that is not one, or is
//! missing, is no point, as a platform that stops sending a counter never writes a zero.

use serde_json::Value as Json;

use crate::store::model::AnalyticsEvent;
use crate::sync::{Page, Request, Stream};
use crate::vocab::{PlatformError, PlatformId, Secret};

/// The snapshot events of the counters `names` of `platform`'s account `id`, read from
/// `object` (none when there is no object), in the order of `names`.
pub fn counters(
    request: &Request,
    platform: PlatformId,
    id: &str,
    object: Option<&Json>,
    names: &[&str],
) -> Vec<AnalyticsEvent> {
    names
        .iter()
        .filter_map(|name| {
            let value = object?.get(*name)?.as_i64()?;
            Some(request.snapshot(platform, "account", id, name, value))
        })
        .collect()
}

/// What a [`Counters`] stream reads for one page: the account's id and the object that holds
/// its counters.
pub type Read = Box<dyn Fn(&Secret, &Request) -> Result<(String, Json), PlatformError>>;

/// A stream of one page, the account's counters: the adapter says only where its account
/// object comes from (`read`) and which of its fields are counters.
pub struct Counters {
    name: &'static str,
    platform: PlatformId,
    names: &'static [&'static str],
    read: Read,
}

impl Counters {
    /// The stream `name` (fixed once shipped) of `platform`, recording `names` of what `read`
    /// answers.
    pub fn new(
        name: &'static str,
        platform: PlatformId,
        names: &'static [&'static str],
        read: Read,
    ) -> Counters {
        Counters {
            name,
            platform,
            names,
            read,
        }
    }
}

impl Stream for Counters {
    fn name(&self) -> &'static str {
        self.name
    }

    fn fetch(&self, token: &Secret, request: &Request) -> Result<Page, PlatformError> {
        let (id, object) = (self.read)(token, request)?;
        Ok(Page {
            events: counters(request, self.platform, &id, Some(&object), self.names),
            ..Page::default()
        })
    }
}
