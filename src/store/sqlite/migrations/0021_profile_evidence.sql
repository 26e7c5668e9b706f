-- socialcrm schema v21 (SQLite): the profile and referral evidence of `people suggest`
-- (issue 18).
--
-- `fan_accounts.referral` is where a relationship says the fan came from: an OnlyFans fans
-- export's referral or tracking-link column ("TikTok bio", a tracking link's name or URL).
-- `fan_contacts` holds what an identity's profile shares: an email address (`email`,
-- lowercased), a link (`link`, normalised as tracking links are: no scheme, no `www.`, no
-- trailing slash) or a link to a profile on a platform (`profile`, `<platform>:<normalised
-- handle>`, e.g. `onlyfans:lilyfan` from an X bio's `onlyfans.com/lily_fan`). Values are
-- only ever added: a profile that once said it stays evidence, and erasing the fan deletes
-- them with the identity. The key leads with (kind, value): `people suggest` reads the values
-- two identities share as blocks, in key order. Keep in step with
-- postgres/migrations/0021_profile_evidence.sql.

ALTER TABLE fan_accounts ADD COLUMN referral TEXT;

CREATE TABLE fan_contacts (
    id               INTEGER PRIMARY KEY,
    platform         TEXT    NOT NULL,
    platform_user_id TEXT    NOT NULL,
    kind             TEXT    NOT NULL,
    value            TEXT    NOT NULL,
    revision         INTEGER NOT NULL,
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL,
    UNIQUE (kind, value, platform, platform_user_id)
);
CREATE INDEX fan_contacts_by_fan ON fan_contacts (platform, platform_user_id);
-- Answers "does any relationship name a referral?" without reading them all: suggest skips
-- the referral evidence when none does.
CREATE INDEX fan_accounts_with_referral ON fan_accounts (account) WHERE referral IS NOT NULL;
