CREATE TABLE `lead_counts_daily` (
	`project_id` integer NOT NULL,
	`day` integer NOT NULL,
	`parser` text NOT NULL,
	`medium` text NOT NULL,
	`quality` text NOT NULL,
	`contact_state` text NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`project_id`, `day`, `parser`, `medium`, `quality`, `contact_state`)
);
--> statement-breakpoint
CREATE INDEX `lead_counts_daily_day` ON `lead_counts_daily` (`day`);--> statement-breakpoint
CREATE TRIGGER `lead_counts_daily_insert` AFTER INSERT ON `leads` BEGIN
  INSERT INTO `lead_counts_daily` VALUES (ifnull(NEW.project_id, -1), NEW.received_at / 86400000, ifnull(NEW.parser, ''), NEW.medium, NEW.quality, NEW.contact_state, 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `lead_counts_daily_delete` AFTER DELETE ON `leads` BEGIN
  UPDATE `lead_counts_daily` SET n = n - 1 WHERE project_id = ifnull(OLD.project_id, -1) AND day = OLD.received_at / 86400000 AND parser = ifnull(OLD.parser, '') AND medium = OLD.medium AND quality = OLD.quality AND contact_state = OLD.contact_state;
END;
--> statement-breakpoint
CREATE TRIGGER `lead_counts_daily_update` AFTER UPDATE OF project_id, parser, medium, quality, contact_state, received_at ON `leads` BEGIN
  UPDATE `lead_counts_daily` SET n = n - 1 WHERE project_id = ifnull(OLD.project_id, -1) AND day = OLD.received_at / 86400000 AND parser = ifnull(OLD.parser, '') AND medium = OLD.medium AND quality = OLD.quality AND contact_state = OLD.contact_state;
  INSERT INTO `lead_counts_daily` VALUES (ifnull(NEW.project_id, -1), NEW.received_at / 86400000, ifnull(NEW.parser, ''), NEW.medium, NEW.quality, NEW.contact_state, 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
INSERT INTO `lead_counts_daily` SELECT ifnull(project_id, -1), received_at / 86400000, ifnull(parser, ''), medium, quality, contact_state, count(*) FROM `leads` GROUP BY 1, 2, 3, 4, 5, 6;
