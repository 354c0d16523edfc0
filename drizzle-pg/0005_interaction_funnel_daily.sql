CREATE TABLE "interaction_funnel_daily" (
	"day" bigint NOT NULL,
	"kind" text NOT NULL,
	"project_id" bigint NOT NULL,
	"parser" text NOT NULL,
	"medium" text NOT NULL,
	"owner_vendor_id" text NOT NULL,
	"reentry" bigint NOT NULL,
	"state" text NOT NULL,
	"contact_state" text NOT NULL,
	"n" bigint NOT NULL,
	CONSTRAINT "interaction_funnel_daily_day_kind_project_id_parser_medium_owner_vendor_id_reentry_state_contact_state_pk" PRIMARY KEY("day","kind","project_id","parser","medium","owner_vendor_id","reentry","state","contact_state")
);
--> statement-breakpoint
CREATE INDEX "interaction_funnel_daily_cover" ON "interaction_funnel_daily" USING btree ("day","kind","project_id","parser","medium","owner_vendor_id","reentry","state","contact_state","n");--> statement-breakpoint
CREATE INDEX "interactions_state_deadline" ON "interactions" USING btree ("contact_state","deadline_at");
--> statement-breakpoint
-- interaction_funnel_daily kept by triggers in the write's transaction, as lead_funnel_daily (0001).
CREATE FUNCTION interaction_funnel_counters() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE interaction_funnel_daily SET n = n - 1 WHERE day = OLD.at / 86400000 AND kind = OLD.kind AND project_id = coalesce(OLD.project_id, -1) AND parser = coalesce(OLD.parser, '') AND medium = OLD.medium AND owner_vendor_id = coalesce(OLD.owner_vendor_id, '') AND reentry = OLD.reentry::int AND state = coalesce(OLD.state, '') AND contact_state = coalesce(OLD.contact_state, '');
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO interaction_funnel_daily VALUES (NEW.at / 86400000, NEW.kind, coalesce(NEW.project_id, -1), coalesce(NEW.parser, ''), NEW.medium, coalesce(NEW.owner_vendor_id, ''), NEW.reentry::int, coalesce(NEW.state, ''), coalesce(NEW.contact_state, ''), 1)
      ON CONFLICT (day, kind, project_id, parser, medium, owner_vendor_id, reentry, state, contact_state) DO UPDATE SET n = interaction_funnel_daily.n + 1;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER interaction_funnel_insert_delete AFTER INSERT OR DELETE ON interactions FOR EACH ROW EXECUTE FUNCTION interaction_funnel_counters();
--> statement-breakpoint
CREATE TRIGGER interaction_funnel_update AFTER UPDATE OF at, kind, project_id, parser, medium, owner_vendor_id, reentry, state, contact_state ON interactions
  FOR EACH ROW WHEN (OLD.at IS DISTINCT FROM NEW.at OR OLD.kind IS DISTINCT FROM NEW.kind OR OLD.project_id IS DISTINCT FROM NEW.project_id OR OLD.parser IS DISTINCT FROM NEW.parser OR OLD.medium IS DISTINCT FROM NEW.medium OR OLD.owner_vendor_id IS DISTINCT FROM NEW.owner_vendor_id OR OLD.reentry IS DISTINCT FROM NEW.reentry OR OLD.state IS DISTINCT FROM NEW.state OR OLD.contact_state IS DISTINCT FROM NEW.contact_state)
  EXECUTE FUNCTION interaction_funnel_counters();
--> statement-breakpoint
INSERT INTO interaction_funnel_daily SELECT at / 86400000, kind, coalesce(project_id, -1), coalesce(parser, ''), medium, coalesce(owner_vendor_id, ''), reentry::int, coalesce(state, ''), coalesce(contact_state, ''), count(*)
  FROM interactions GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9;
