CREATE TABLE `lead_counts` (
	`project_id` integer NOT NULL,
	`parser` text NOT NULL,
	`medium` text NOT NULL,
	`quality` text NOT NULL,
	`contact_state` text NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`project_id`, `parser`, `medium`, `quality`, `contact_state`)
);
--> statement-breakpoint
CREATE INDEX `leads_stats_received` ON `leads` (`received_at`,`quality`,`contact_state`,`medium`,`parser`,`project_id`,`deadline_at`);--> statement-breakpoint
CREATE INDEX `leads_stats_project` ON `leads` (`project_id`,`received_at`,`quality`,`contact_state`,`medium`,`parser`,`deadline_at`);--> statement-breakpoint
CREATE INDEX `leads_state_deadline` ON `leads` (`contact_state`,`deadline_at`);--> statement-breakpoint
CREATE TRIGGER `lead_counts_insert` AFTER INSERT ON `leads` BEGIN
  INSERT INTO `lead_counts` VALUES (ifnull(NEW.project_id, -1), ifnull(NEW.parser, ''), NEW.medium, NEW.quality, NEW.contact_state, 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `lead_counts_delete` AFTER DELETE ON `leads` BEGIN
  UPDATE `lead_counts` SET n = n - 1 WHERE project_id = ifnull(OLD.project_id, -1) AND parser = ifnull(OLD.parser, '') AND medium = OLD.medium AND quality = OLD.quality AND contact_state = OLD.contact_state;
END;
--> statement-breakpoint
CREATE TRIGGER `lead_counts_update` AFTER UPDATE OF project_id, parser, medium, quality, contact_state ON `leads` BEGIN
  UPDATE `lead_counts` SET n = n - 1 WHERE project_id = ifnull(OLD.project_id, -1) AND parser = ifnull(OLD.parser, '') AND medium = OLD.medium AND quality = OLD.quality AND contact_state = OLD.contact_state;
  INSERT INTO `lead_counts` VALUES (ifnull(NEW.project_id, -1), ifnull(NEW.parser, ''), NEW.medium, NEW.quality, NEW.contact_state, 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
INSERT INTO `lead_counts` SELECT ifnull(project_id, -1), ifnull(parser, ''), medium, quality, contact_state, count(*) FROM `leads` GROUP BY 1, 2, 3, 4, 5;
