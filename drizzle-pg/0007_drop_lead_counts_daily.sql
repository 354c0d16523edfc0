-- Stats over a period read the funnel's counters (lead_funnel_16d and lead_funnel_daily, 0006):
-- lead_counts_daily has no reader left; lead_counters() stops keeping it.
CREATE OR REPLACE FUNCTION lead_counters() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE lead_counts SET n = n - 1 WHERE project_id = coalesce(OLD.project_id, -1) AND parser = coalesce(OLD.parser, '') AND medium = OLD.medium AND quality = OLD.quality AND contact_state = OLD.contact_state;
    UPDATE lead_funnel_daily SET n = n - 1 WHERE day = OLD.received_at / 86400000 AND project_id = coalesce(OLD.project_id, -1) AND parser = coalesce(OLD.parser, '') AND medium = OLD.medium AND owner_vendor_id = coalesce(OLD.owner_vendor_id, '') AND quality = OLD.quality AND contact_state = OLD.contact_state;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO lead_counts VALUES (coalesce(NEW.project_id, -1), coalesce(NEW.parser, ''), NEW.medium, NEW.quality, NEW.contact_state, 1)
      ON CONFLICT (project_id, parser, medium, quality, contact_state) DO UPDATE SET n = lead_counts.n + 1;
    INSERT INTO lead_funnel_daily VALUES (NEW.received_at / 86400000, coalesce(NEW.project_id, -1), coalesce(NEW.parser, ''), NEW.medium, coalesce(NEW.owner_vendor_id, ''), NEW.quality, NEW.contact_state, 1)
      ON CONFLICT (day, project_id, parser, medium, owner_vendor_id, quality, contact_state) DO UPDATE SET n = lead_funnel_daily.n + 1;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
DROP TABLE "lead_counts_daily";
