-- A person's answer to a flag (issue 13, the console's attention list): who checked it, when, and what they
-- found. It covers the flags raised up to `attention_resolved_at`; a flag raised later reopens the payout.
-- Resolving never authorises a resend: a retry still needs PesaWay to confirm the failure (invariant 7).
ALTER TABLE payouts ADD COLUMN attention_resolved_at timestamptz;
ALTER TABLE payouts ADD COLUMN attention_resolved_by text;
ALTER TABLE payouts ADD COLUMN attention_resolution text;
