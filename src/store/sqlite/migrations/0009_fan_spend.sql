-- socialcrm schema v9 (SQLite): a fan's lifetime spend is derived, never written.
--
-- It was one column written by two sources: a fans export's total and the sum of the fan's
-- payments (earnings imports), so alternating imports flipped it between the two. Now each
-- source has its column, and lifetime_spend_cents is the larger of them, whatever the order or
-- repetition of imports. Existing values are kept as what an export said; the next earnings
-- import fills paid_cents. Keep in step with postgres/migrations/0009_fan_spend.sql.

ALTER TABLE fans ADD COLUMN exported_spend_cents INTEGER;
ALTER TABLE fans ADD COLUMN paid_cents INTEGER;
UPDATE fans SET exported_spend_cents = lifetime_spend_cents;
ALTER TABLE fans DROP COLUMN lifetime_spend_cents;
ALTER TABLE fans ADD COLUMN lifetime_spend_cents INTEGER GENERATED ALWAYS AS (
    CASE WHEN paid_cents IS NULL OR exported_spend_cents >= paid_cents
         THEN exported_spend_cents ELSE paid_cents END
) VIRTUAL;
