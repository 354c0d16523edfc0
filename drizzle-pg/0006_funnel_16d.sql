CREATE TABLE "interaction_funnel_16d" (
	"bucket" bigint NOT NULL,
	"kind" text NOT NULL,
	"project_id" bigint NOT NULL,
	"parser" text NOT NULL,
	"medium" text NOT NULL,
	"owner_vendor_id" text NOT NULL,
	"reentry" bigint NOT NULL,
	"state" text NOT NULL,
	"contact_state" text NOT NULL,
	"n" bigint NOT NULL,
	CONSTRAINT "interaction_funnel_16d_bucket_kind_project_id_parser_medium_owner_vendor_id_reentry_state_contact_state_pk" PRIMARY KEY("bucket","kind","project_id","parser","medium","owner_vendor_id","reentry","state","contact_state")
);
--> statement-breakpoint
CREATE TABLE "lead_funnel_16d" (
	"bucket" bigint NOT NULL,
	"project_id" bigint NOT NULL,
	"parser" text NOT NULL,
	"medium" text NOT NULL,
	"owner_vendor_id" text NOT NULL,
	"quality" text NOT NULL,
	"contact_state" text NOT NULL,
	"n" bigint NOT NULL,
	CONSTRAINT "lead_funnel_16d_bucket_project_id_parser_medium_owner_vendor_id_quality_contact_state_pk" PRIMARY KEY("bucket","project_id","parser","medium","owner_vendor_id","quality","contact_state")
);
--> statement-breakpoint
CREATE INDEX "interaction_funnel_16d_cover" ON "interaction_funnel_16d" USING btree ("bucket","kind","project_id","parser","medium","owner_vendor_id","reentry","state","contact_state","n");--> statement-breakpoint
CREATE INDEX "lead_funnel_16d_cover" ON "lead_funnel_16d" USING btree ("bucket","project_id","parser","medium","owner_vendor_id","quality","contact_state","n");--> statement-breakpoint
-- The 16-day buckets follow the daily counters (an upsert's update fires the UPDATE trigger): their rows' keys never change, only n.
CREATE FUNCTION lead_funnel_16d_counters() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO lead_funnel_16d VALUES (NEW.day / 16, NEW.project_id, NEW.parser, NEW.medium, NEW.owner_vendor_id, NEW.quality, NEW.contact_state, NEW.n)
      ON CONFLICT (bucket, project_id, parser, medium, owner_vendor_id, quality, contact_state) DO UPDATE SET n = lead_funnel_16d.n + excluded.n;
  ELSE
    UPDATE lead_funnel_16d SET n = n + NEW.n - OLD.n WHERE bucket = NEW.day / 16 AND project_id = NEW.project_id AND parser = NEW.parser AND medium = NEW.medium
      AND owner_vendor_id = NEW.owner_vendor_id AND quality = NEW.quality AND contact_state = NEW.contact_state;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER lead_funnel_16d_follow AFTER INSERT OR UPDATE OF n ON lead_funnel_daily FOR EACH ROW EXECUTE FUNCTION lead_funnel_16d_counters();
--> statement-breakpoint
CREATE FUNCTION interaction_funnel_16d_counters() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO interaction_funnel_16d VALUES (NEW.day / 16, NEW.kind, NEW.project_id, NEW.parser, NEW.medium, NEW.owner_vendor_id, NEW.reentry, NEW.state, NEW.contact_state, NEW.n)
      ON CONFLICT (bucket, kind, project_id, parser, medium, owner_vendor_id, reentry, state, contact_state) DO UPDATE SET n = interaction_funnel_16d.n + excluded.n;
  ELSE
    UPDATE interaction_funnel_16d SET n = n + NEW.n - OLD.n WHERE bucket = NEW.day / 16 AND kind = NEW.kind AND project_id = NEW.project_id AND parser = NEW.parser AND medium = NEW.medium
      AND owner_vendor_id = NEW.owner_vendor_id AND reentry = NEW.reentry AND state = NEW.state AND contact_state = NEW.contact_state;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER interaction_funnel_16d_follow AFTER INSERT OR UPDATE OF n ON interaction_funnel_daily FOR EACH ROW EXECUTE FUNCTION interaction_funnel_16d_counters();
--> statement-breakpoint
INSERT INTO lead_funnel_16d SELECT day / 16, project_id, parser, medium, owner_vendor_id, quality, contact_state, sum(n) FROM lead_funnel_daily GROUP BY 1, 2, 3, 4, 5, 6, 7;
--> statement-breakpoint
INSERT INTO interaction_funnel_16d SELECT day / 16, kind, project_id, parser, medium, owner_vendor_id, reentry, state, contact_state, sum(n) FROM interaction_funnel_daily GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9;
