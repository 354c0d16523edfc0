-- Substring search over leads (partial emails, email domains, the last digits of a phone, words of
-- a name in any order): a contentless FTS5 trigram index keyed by lead id, kept by triggers.
-- The document: the folded name, the email, the phone's digits and the national ID.
CREATE VIRTUAL TABLE `leads_search` USING fts5(doc, content='', contentless_delete=1, tokenize='trigram');
--> statement-breakpoint
INSERT INTO `leads_search` (rowid, doc)
  SELECT id, trim(coalesce(search_name, '') || ' ' || coalesce(email, '') || ' ' || coalesce(replace(phone, '+', ''), '') || ' ' || coalesce(lower(national_id), '')) FROM leads;
--> statement-breakpoint
CREATE TRIGGER `leads_search_insert` AFTER INSERT ON `leads` BEGIN
  INSERT INTO `leads_search` (rowid, doc) VALUES (new.id, trim(coalesce(new.search_name, '') || ' ' || coalesce(new.email, '') || ' ' || coalesce(replace(new.phone, '+', ''), '') || ' ' || coalesce(lower(new.national_id), '')));
END;
--> statement-breakpoint
CREATE TRIGGER `leads_search_update` AFTER UPDATE OF search_name, email, phone, national_id ON `leads` BEGIN
  DELETE FROM `leads_search` WHERE rowid = old.id;
  INSERT INTO `leads_search` (rowid, doc) VALUES (new.id, trim(coalesce(new.search_name, '') || ' ' || coalesce(new.email, '') || ' ' || coalesce(replace(new.phone, '+', ''), '') || ' ' || coalesce(lower(new.national_id), '')));
END;
--> statement-breakpoint
CREATE TRIGGER `leads_search_delete` AFTER DELETE ON `leads` BEGIN
  DELETE FROM `leads_search` WHERE rowid = old.id;
END;
