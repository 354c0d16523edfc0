ALTER TABLE `leads` ADD `first_contact_at` integer;--> statement-breakpoint
CREATE INDEX `leads_first_contact` ON `leads` (`received_at`,`owner_vendor_id`,`contact_state`,`project_id`,`first_contact_at`);--> statement-breakpoint
-- The lead's first contact: the earliest follow_up action registered on it (sibling leads get their own).
CREATE TRIGGER `leads_first_contact` AFTER INSERT ON `actions` WHEN NEW.action = 'follow_up' AND NEW.lead_id IS NOT NULL BEGIN
  UPDATE `leads` SET first_contact_at = NEW.at WHERE id = NEW.lead_id AND (first_contact_at IS NULL OR first_contact_at > NEW.at);
END;
--> statement-breakpoint
UPDATE `leads` SET first_contact_at = (SELECT min(a.at) FROM `actions` a WHERE a.lead_id = leads.id AND a.action = 'follow_up')
  WHERE id IN (SELECT lead_id FROM `actions` WHERE action = 'follow_up');
