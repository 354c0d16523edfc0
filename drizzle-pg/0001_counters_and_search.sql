-- What SQLite keeps with triggers (drizzle/0002, 0003, 0008, 0010), kept the same way here: the
-- lead counters (all time, per day, the funnel's per day), the quote follow-up closing, the
-- attribution of imported quotes, and the substring search (pg_trgm instead of FTS5 trigram).
CREATE FUNCTION lead_counters() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE lead_counts SET n = n - 1 WHERE project_id = coalesce(OLD.project_id, -1) AND parser = coalesce(OLD.parser, '') AND medium = OLD.medium AND quality = OLD.quality AND contact_state = OLD.contact_state;
    UPDATE lead_counts_daily SET n = n - 1 WHERE project_id = coalesce(OLD.project_id, -1) AND day = OLD.received_at / 86400000 AND parser = coalesce(OLD.parser, '') AND medium = OLD.medium AND quality = OLD.quality AND contact_state = OLD.contact_state;
    UPDATE lead_funnel_daily SET n = n - 1 WHERE day = OLD.received_at / 86400000 AND project_id = coalesce(OLD.project_id, -1) AND parser = coalesce(OLD.parser, '') AND medium = OLD.medium AND owner_vendor_id = coalesce(OLD.owner_vendor_id, '') AND quality = OLD.quality AND contact_state = OLD.contact_state;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO lead_counts VALUES (coalesce(NEW.project_id, -1), coalesce(NEW.parser, ''), NEW.medium, NEW.quality, NEW.contact_state, 1)
      ON CONFLICT (project_id, parser, medium, quality, contact_state) DO UPDATE SET n = lead_counts.n + 1;
    INSERT INTO lead_counts_daily VALUES (coalesce(NEW.project_id, -1), NEW.received_at / 86400000, coalesce(NEW.parser, ''), NEW.medium, NEW.quality, NEW.contact_state, 1)
      ON CONFLICT (project_id, day, parser, medium, quality, contact_state) DO UPDATE SET n = lead_counts_daily.n + 1;
    INSERT INTO lead_funnel_daily VALUES (NEW.received_at / 86400000, coalesce(NEW.project_id, -1), coalesce(NEW.parser, ''), NEW.medium, coalesce(NEW.owner_vendor_id, ''), NEW.quality, NEW.contact_state, 1)
      ON CONFLICT (day, project_id, parser, medium, owner_vendor_id, quality, contact_state) DO UPDATE SET n = lead_funnel_daily.n + 1;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER lead_counters_insert_delete AFTER INSERT OR DELETE ON leads FOR EACH ROW EXECUTE FUNCTION lead_counters();
--> statement-breakpoint
CREATE TRIGGER lead_counters_update AFTER UPDATE OF project_id, parser, medium, owner_vendor_id, quality, contact_state, received_at ON leads
  FOR EACH ROW WHEN (OLD.project_id IS DISTINCT FROM NEW.project_id OR OLD.parser IS DISTINCT FROM NEW.parser OR OLD.medium IS DISTINCT FROM NEW.medium
    OR OLD.owner_vendor_id IS DISTINCT FROM NEW.owner_vendor_id OR OLD.quality IS DISTINCT FROM NEW.quality OR OLD.contact_state IS DISTINCT FROM NEW.contact_state
    OR OLD.received_at IS DISTINCT FROM NEW.received_at)
  EXECUTE FUNCTION lead_counters();
--> statement-breakpoint
-- A contact (or an abort) registered on a client closes the follow-up of the quotes it made before.
CREATE FUNCTION interactions_quote_contact() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE interactions SET contact_state = CASE NEW.action WHEN 'abort' THEN 'abortado' ELSE 'contactado' END, updated_at = NEW.at
    WHERE client_id = NEW.client_id AND kind = 'cotizacion' AND contact_state = 'por_contactar' AND at <= NEW.at;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER interactions_quote_contact AFTER INSERT ON actions
  FOR EACH ROW WHEN (NEW.client_id IS NOT NULL AND NEW.action IN ('follow_up', 'abort')) EXECUTE FUNCTION interactions_quote_contact();
--> statement-breakpoint
-- A client's first lead that arrives after its quotes were imported is the portal they are attributed to.
CREATE FUNCTION interactions_attribute() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE interactions SET lead_id = NEW.id, parser = NEW.parser, medium = NEW.medium, updated_at = NEW.updated_at
    WHERE client_id = NEW.client_id AND lead_id IS NULL AND kind <> 'lead';
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER interactions_attribute AFTER UPDATE OF client_id ON leads
  FOR EACH ROW WHEN (NEW.client_id IS NOT NULL AND OLD.client_id IS DISTINCT FROM NEW.client_id) EXECUTE FUNCTION interactions_attribute();
--> statement-breakpoint
-- Substring search: the same document as SQLite's leads_search (folded name, email, phone digits,
-- national ID), as an expression index with trigrams; queries write `lead_search_doc(...) ILIKE '%term%'`.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
--> statement-breakpoint
CREATE FUNCTION lead_search_doc(search_name text, email text, phone text, national_id text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT trim(coalesce(search_name, '') || ' ' || coalesce(email, '') || ' ' || coalesce(replace(phone, '+', ''), '') || ' ' || coalesce(lower(national_id), ''))
$$;
--> statement-breakpoint
CREATE INDEX leads_search ON leads USING gin (lead_search_doc(search_name, email, phone, national_id) gin_trgm_ops);
