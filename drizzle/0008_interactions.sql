CREATE TABLE `interactions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`external_id` text,
	`kind` text NOT NULL,
	`client_id` integer NOT NULL,
	`project_id` integer,
	`at` integer NOT NULL,
	`product` text,
	`model` text,
	`amount` real,
	`source` text NOT NULL,
	`state` text,
	`contact_state` text,
	`deadline_at` integer,
	`lead_id` integer,
	`parser` text,
	`medium` text NOT NULL,
	`owner_vendor_id` text,
	`reentry` integer DEFAULT false NOT NULL,
	`actor` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`lead_id`) REFERENCES `leads`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`owner_vendor_id`) REFERENCES `vendors`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `interactions_key` ON `interactions` (`key`);--> statement-breakpoint
CREATE INDEX `interactions_client` ON `interactions` (`client_id`,`at`);--> statement-breakpoint
CREATE INDEX `interactions_lead` ON `interactions` (`lead_id`);--> statement-breakpoint
CREATE INDEX `interactions_funnel` ON `interactions` (`at`,`kind`,`project_id`,`parser`,`medium`,`owner_vendor_id`,`reentry`,`state`,`contact_state`,`deadline_at`);--> statement-breakpoint
CREATE TABLE `lead_funnel_daily` (
	`day` integer NOT NULL,
	`project_id` integer NOT NULL,
	`parser` text NOT NULL,
	`medium` text NOT NULL,
	`owner_vendor_id` text NOT NULL,
	`quality` text NOT NULL,
	`contact_state` text NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`day`, `project_id`, `parser`, `medium`, `owner_vendor_id`, `quality`, `contact_state`)
);
--> statement-breakpoint
CREATE TRIGGER `lead_funnel_daily_insert` AFTER INSERT ON `leads` BEGIN
  INSERT INTO `lead_funnel_daily` VALUES (NEW.received_at / 86400000, ifnull(NEW.project_id, -1), ifnull(NEW.parser, ''), NEW.medium, ifnull(NEW.owner_vendor_id, ''), NEW.quality, NEW.contact_state, 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `lead_funnel_daily_delete` AFTER DELETE ON `leads` BEGIN
  UPDATE `lead_funnel_daily` SET n = n - 1 WHERE day = OLD.received_at / 86400000 AND project_id = ifnull(OLD.project_id, -1) AND parser = ifnull(OLD.parser, '') AND medium = OLD.medium AND owner_vendor_id = ifnull(OLD.owner_vendor_id, '') AND quality = OLD.quality AND contact_state = OLD.contact_state;
END;
--> statement-breakpoint
CREATE TRIGGER `lead_funnel_daily_update` AFTER UPDATE OF project_id, parser, medium, owner_vendor_id, quality, contact_state, received_at ON `leads` BEGIN
  UPDATE `lead_funnel_daily` SET n = n - 1 WHERE day = OLD.received_at / 86400000 AND project_id = ifnull(OLD.project_id, -1) AND parser = ifnull(OLD.parser, '') AND medium = OLD.medium AND owner_vendor_id = ifnull(OLD.owner_vendor_id, '') AND quality = OLD.quality AND contact_state = OLD.contact_state;
  INSERT INTO `lead_funnel_daily` VALUES (NEW.received_at / 86400000, ifnull(NEW.project_id, -1), ifnull(NEW.parser, ''), NEW.medium, ifnull(NEW.owner_vendor_id, ''), NEW.quality, NEW.contact_state, 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
INSERT INTO `lead_funnel_daily` SELECT received_at / 86400000, ifnull(project_id, -1), ifnull(parser, ''), medium, ifnull(owner_vendor_id, ''), quality, contact_state, count(*) FROM `leads` WHERE true GROUP BY 1, 2, 3, 4, 5, 6, 7;
--> statement-breakpoint
-- A contact (or an abort) registered on a client closes the follow-up of the quotes it made before.
CREATE TRIGGER `interactions_quote_contact` AFTER INSERT ON `actions` WHEN NEW.client_id IS NOT NULL AND NEW.action IN ('follow_up', 'abort') BEGIN
  UPDATE `interactions` SET contact_state = CASE NEW.action WHEN 'abort' THEN 'abortado' ELSE 'contactado' END, updated_at = NEW.at
    WHERE client_id = NEW.client_id AND kind = 'cotizacion' AND contact_state = 'por_contactar' AND at <= NEW.at;
END;
--> statement-breakpoint
-- A client's first lead that arrives after its quotes were imported is the portal they are attributed to.
CREATE TRIGGER `interactions_attribute` AFTER UPDATE OF client_id ON `leads` WHEN NEW.client_id IS NOT NULL AND OLD.client_id IS NOT NEW.client_id BEGIN
  UPDATE `interactions` SET lead_id = NEW.id, parser = NEW.parser, medium = NEW.medium, updated_at = NEW.updated_at
    WHERE client_id = NEW.client_id AND lead_id IS NULL AND kind <> 'lead';
END;
