ALTER TABLE "leads" ADD COLUMN "first_contact_at" bigint;--> statement-breakpoint
CREATE INDEX "leads_first_contact" ON "leads" USING btree ("received_at","owner_vendor_id","contact_state","project_id","first_contact_at");--> statement-breakpoint
-- The lead's first contact: the earliest follow_up action registered on it (sibling leads get their own).
CREATE FUNCTION leads_first_contact() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE leads SET first_contact_at = NEW.at WHERE id = NEW.lead_id AND (first_contact_at IS NULL OR first_contact_at > NEW.at);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER leads_first_contact AFTER INSERT ON actions
  FOR EACH ROW WHEN (NEW.action = 'follow_up' AND NEW.lead_id IS NOT NULL) EXECUTE FUNCTION leads_first_contact();
--> statement-breakpoint
UPDATE leads SET first_contact_at = f.at FROM (SELECT lead_id, min(at) AS at FROM actions WHERE action = 'follow_up' AND lead_id IS NOT NULL GROUP BY lead_id) f
  WHERE leads.id = f.lead_id;
