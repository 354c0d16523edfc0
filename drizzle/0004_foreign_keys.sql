-- Table rebuilds to add foreign keys. PRAGMA foreign_keys is a no-op inside the migrator's transaction,
-- so openDatabase turns it off around migrate(): DROP TABLE must not cascade or check while rows move.
-- Rows are copied as they are. Dropping `leads` drops its count triggers (0002, 0003): recreated at the end.
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_actions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`lead_id` integer,
	`client_id` integer,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`data` text DEFAULT '{}' NOT NULL,
	`at` integer NOT NULL,
	FOREIGN KEY (`lead_id`) REFERENCES `leads`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
INSERT INTO `__new_actions`("id", "lead_id", "client_id", "actor", "action", "data", "at") SELECT "id", "lead_id", "client_id", "actor", "action", "data", "at" FROM `actions`;--> statement-breakpoint
DROP TABLE `actions`;--> statement-breakpoint
ALTER TABLE `__new_actions` RENAME TO `actions`;--> statement-breakpoint
CREATE INDEX `actions_lead` ON `actions` (`lead_id`);--> statement-breakpoint
CREATE INDEX `actions_client` ON `actions` (`client_id`,`at`);--> statement-breakpoint
CREATE TABLE `__new_clients` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`national_id` text,
	`national_id_type` text,
	`email` text,
	`phone` text,
	`name` text,
	`first_name` text,
	`last_name` text,
	`owner_vendor_id` text,
	`owner_since` integer,
	`created_at` integer NOT NULL,
	`last_activity_at` integer,
	FOREIGN KEY (`owner_vendor_id`) REFERENCES `vendors`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
INSERT INTO `__new_clients`("id", "national_id", "national_id_type", "email", "phone", "name", "first_name", "last_name", "owner_vendor_id", "owner_since", "created_at", "last_activity_at") SELECT "id", "national_id", "national_id_type", "email", "phone", "name", "first_name", "last_name", "owner_vendor_id", "owner_since", "created_at", "last_activity_at" FROM `clients`;--> statement-breakpoint
DROP TABLE `clients`;--> statement-breakpoint
ALTER TABLE `__new_clients` RENAME TO `clients`;--> statement-breakpoint
CREATE UNIQUE INDEX `clients_national_id` ON `clients` (`national_id`);--> statement-breakpoint
CREATE INDEX `clients_email` ON `clients` (`email`);--> statement-breakpoint
CREATE INDEX `clients_phone` ON `clients` (`phone`);--> statement-breakpoint
CREATE INDEX `clients_owner` ON `clients` (`owner_vendor_id`);--> statement-breakpoint
CREATE TABLE `__new_follow_ups` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`client_id` integer NOT NULL,
	`lead_id` integer,
	`project_id` integer,
	`action` text NOT NULL,
	`status` text NOT NULL,
	`expectation` text,
	`contact_type` text,
	`due_at` integer NOT NULL,
	`comment` text,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`lead_id`) REFERENCES `leads`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
INSERT INTO `__new_follow_ups`("id", "client_id", "lead_id", "project_id", "action", "status", "expectation", "contact_type", "due_at", "comment", "created_by", "created_at") SELECT "id", "client_id", "lead_id", "project_id", "action", "status", "expectation", "contact_type", "due_at", "comment", "created_by", "created_at" FROM `follow_ups`;--> statement-breakpoint
DROP TABLE `follow_ups`;--> statement-breakpoint
ALTER TABLE `__new_follow_ups` RENAME TO `follow_ups`;--> statement-breakpoint
CREATE INDEX `follow_ups_client_project` ON `follow_ups` (`client_id`,`project_id`,`status`);--> statement-breakpoint
CREATE INDEX `follow_ups_lead` ON `follow_ups` (`lead_id`);--> statement-breakpoint
CREATE TABLE `__new_leads` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`raw_email_id` integer NOT NULL,
	`parser` text,
	`medium` text NOT NULL,
	`quality` text NOT NULL,
	`problems` text DEFAULT '[]' NOT NULL,
	`problem_details` text DEFAULT '{}' NOT NULL,
	`from_fallback` text DEFAULT '[]' NOT NULL,
	`name` text,
	`first_name` text,
	`last_name` text,
	`national_id` text,
	`national_id_type` text,
	`email` text,
	`phone` text,
	`project_id` integer,
	`project_text` text,
	`message` text,
	`raw_fields` text DEFAULT '{}' NOT NULL,
	`search_name` text,
	`client_id` integer,
	`owner_vendor_id` text,
	`contact_type` text,
	`contact_state` text NOT NULL,
	`received_at` integer NOT NULL,
	`deadline_at` integer NOT NULL,
	`follow_up_at` integer,
	`last_contact_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`raw_email_id`) REFERENCES `raw_emails`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`owner_vendor_id`) REFERENCES `vendors`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
INSERT INTO `__new_leads`("id", "raw_email_id", "parser", "medium", "quality", "problems", "problem_details", "from_fallback", "name", "first_name", "last_name", "national_id", "national_id_type", "email", "phone", "project_id", "project_text", "message", "raw_fields", "search_name", "client_id", "owner_vendor_id", "contact_type", "contact_state", "received_at", "deadline_at", "follow_up_at", "last_contact_at", "created_at", "updated_at") SELECT "id", "raw_email_id", "parser", "medium", "quality", "problems", "problem_details", "from_fallback", "name", "first_name", "last_name", "national_id", "national_id_type", "email", "phone", "project_id", "project_text", "message", "raw_fields", "search_name", "client_id", "owner_vendor_id", "contact_type", "contact_state", "received_at", "deadline_at", "follow_up_at", "last_contact_at", "created_at", "updated_at" FROM `leads`;--> statement-breakpoint
DROP TABLE `leads`;--> statement-breakpoint
ALTER TABLE `__new_leads` RENAME TO `leads`;--> statement-breakpoint
CREATE UNIQUE INDEX `leads_raw_email_id_unique` ON `leads` (`raw_email_id`);--> statement-breakpoint
CREATE INDEX `leads_received` ON `leads` (`received_at`);--> statement-breakpoint
CREATE INDEX `leads_quality_received` ON `leads` (`quality`,`received_at`);--> statement-breakpoint
CREATE INDEX `leads_state_received` ON `leads` (`contact_state`,`received_at`);--> statement-breakpoint
CREATE INDEX `leads_project_received` ON `leads` (`project_id`,`received_at`);--> statement-breakpoint
CREATE INDEX `leads_parser_received` ON `leads` (`parser`,`received_at`);--> statement-breakpoint
CREATE INDEX `leads_client` ON `leads` (`client_id`);--> statement-breakpoint
CREATE INDEX `leads_owner` ON `leads` (`owner_vendor_id`,`contact_state`);--> statement-breakpoint
CREATE INDEX `leads_national_id` ON `leads` (`national_id`);--> statement-breakpoint
CREATE INDEX `leads_email` ON `leads` (`email`);--> statement-breakpoint
CREATE INDEX `leads_phone` ON `leads` (`phone`);--> statement-breakpoint
CREATE INDEX `leads_search_name` ON `leads` (`search_name`);--> statement-breakpoint
CREATE INDEX `leads_stats_received` ON `leads` (`received_at`,`quality`,`contact_state`,`medium`,`parser`,`project_id`,`deadline_at`);--> statement-breakpoint
CREATE INDEX `leads_stats_project` ON `leads` (`project_id`,`received_at`,`quality`,`contact_state`,`medium`,`parser`,`deadline_at`);--> statement-breakpoint
CREATE INDEX `leads_state_deadline` ON `leads` (`contact_state`,`deadline_at`);--> statement-breakpoint
CREATE TABLE `__new_project_vendors` (
	`project_id` integer NOT NULL,
	`vendor_id` text NOT NULL,
	`position` integer NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`vendor_id`) REFERENCES `vendors`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
INSERT INTO `__new_project_vendors`("project_id", "vendor_id", "position") SELECT "project_id", "vendor_id", "position" FROM `project_vendors`;--> statement-breakpoint
DROP TABLE `project_vendors`;--> statement-breakpoint
ALTER TABLE `__new_project_vendors` RENAME TO `project_vendors`;--> statement-breakpoint
CREATE UNIQUE INDEX `project_vendors_pk` ON `project_vendors` (`project_id`,`vendor_id`);--> statement-breakpoint
CREATE TRIGGER `lead_counts_insert` AFTER INSERT ON `leads` BEGIN
  INSERT INTO `lead_counts` VALUES (ifnull(NEW.project_id, -1), ifnull(NEW.parser, ''), NEW.medium, NEW.quality, NEW.contact_state, 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;--> statement-breakpoint
CREATE TRIGGER `lead_counts_delete` AFTER DELETE ON `leads` BEGIN
  UPDATE `lead_counts` SET n = n - 1 WHERE project_id = ifnull(OLD.project_id, -1) AND parser = ifnull(OLD.parser, '') AND medium = OLD.medium AND quality = OLD.quality AND contact_state = OLD.contact_state;
END;--> statement-breakpoint
CREATE TRIGGER `lead_counts_update` AFTER UPDATE OF project_id, parser, medium, quality, contact_state ON `leads` BEGIN
  UPDATE `lead_counts` SET n = n - 1 WHERE project_id = ifnull(OLD.project_id, -1) AND parser = ifnull(OLD.parser, '') AND medium = OLD.medium AND quality = OLD.quality AND contact_state = OLD.contact_state;
  INSERT INTO `lead_counts` VALUES (ifnull(NEW.project_id, -1), ifnull(NEW.parser, ''), NEW.medium, NEW.quality, NEW.contact_state, 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;--> statement-breakpoint
CREATE TRIGGER `lead_counts_daily_insert` AFTER INSERT ON `leads` BEGIN
  INSERT INTO `lead_counts_daily` VALUES (ifnull(NEW.project_id, -1), NEW.received_at / 86400000, ifnull(NEW.parser, ''), NEW.medium, NEW.quality, NEW.contact_state, 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;--> statement-breakpoint
CREATE TRIGGER `lead_counts_daily_delete` AFTER DELETE ON `leads` BEGIN
  UPDATE `lead_counts_daily` SET n = n - 1 WHERE project_id = ifnull(OLD.project_id, -1) AND day = OLD.received_at / 86400000 AND parser = ifnull(OLD.parser, '') AND medium = OLD.medium AND quality = OLD.quality AND contact_state = OLD.contact_state;
END;--> statement-breakpoint
CREATE TRIGGER `lead_counts_daily_update` AFTER UPDATE OF project_id, parser, medium, quality, contact_state, received_at ON `leads` BEGIN
  UPDATE `lead_counts_daily` SET n = n - 1 WHERE project_id = ifnull(OLD.project_id, -1) AND day = OLD.received_at / 86400000 AND parser = ifnull(OLD.parser, '') AND medium = OLD.medium AND quality = OLD.quality AND contact_state = OLD.contact_state;
  INSERT INTO `lead_counts_daily` VALUES (ifnull(NEW.project_id, -1), NEW.received_at / 86400000, ifnull(NEW.parser, ''), NEW.medium, NEW.quality, NEW.contact_state, 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;--> statement-breakpoint
PRAGMA foreign_keys=ON;
