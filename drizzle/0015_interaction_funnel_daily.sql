CREATE TABLE `interaction_funnel_daily` (
	`day` integer NOT NULL,
	`kind` text NOT NULL,
	`project_id` integer NOT NULL,
	`parser` text NOT NULL,
	`medium` text NOT NULL,
	`owner_vendor_id` text NOT NULL,
	`reentry` integer NOT NULL,
	`state` text NOT NULL,
	`contact_state` text NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`day`, `kind`, `project_id`, `parser`, `medium`, `owner_vendor_id`, `reentry`, `state`, `contact_state`)
);
--> statement-breakpoint
CREATE INDEX `interaction_funnel_daily_cover` ON `interaction_funnel_daily` (`day`,`kind`,`project_id`,`parser`,`medium`,`owner_vendor_id`,`reentry`,`state`,`contact_state`,`n`);--> statement-breakpoint
CREATE INDEX `interactions_state_deadline` ON `interactions` (`contact_state`,`deadline_at`);
--> statement-breakpoint
-- interaction_funnel_daily kept by triggers in the write's transaction, as lead_funnel_daily (0008).
CREATE TRIGGER `interaction_funnel_daily_insert` AFTER INSERT ON `interactions` BEGIN
  INSERT INTO `interaction_funnel_daily` VALUES (NEW.at / 86400000, NEW.kind, ifnull(NEW.project_id, -1), ifnull(NEW.parser, ''), NEW.medium, ifnull(NEW.owner_vendor_id, ''), NEW.reentry, ifnull(NEW.state, ''), ifnull(NEW.contact_state, ''), 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `interaction_funnel_daily_delete` AFTER DELETE ON `interactions` BEGIN
  UPDATE `interaction_funnel_daily` SET n = n - 1 WHERE day = OLD.at / 86400000 AND kind = OLD.kind AND project_id = ifnull(OLD.project_id, -1) AND parser = ifnull(OLD.parser, '') AND medium = OLD.medium AND owner_vendor_id = ifnull(OLD.owner_vendor_id, '') AND reentry = OLD.reentry AND state = ifnull(OLD.state, '') AND contact_state = ifnull(OLD.contact_state, '');
END;
--> statement-breakpoint
CREATE TRIGGER `interaction_funnel_daily_update` AFTER UPDATE OF at, kind, project_id, parser, medium, owner_vendor_id, reentry, state, contact_state ON `interactions` BEGIN
  UPDATE `interaction_funnel_daily` SET n = n - 1 WHERE day = OLD.at / 86400000 AND kind = OLD.kind AND project_id = ifnull(OLD.project_id, -1) AND parser = ifnull(OLD.parser, '') AND medium = OLD.medium AND owner_vendor_id = ifnull(OLD.owner_vendor_id, '') AND reentry = OLD.reentry AND state = ifnull(OLD.state, '') AND contact_state = ifnull(OLD.contact_state, '');
  INSERT INTO `interaction_funnel_daily` VALUES (NEW.at / 86400000, NEW.kind, ifnull(NEW.project_id, -1), ifnull(NEW.parser, ''), NEW.medium, ifnull(NEW.owner_vendor_id, ''), NEW.reentry, ifnull(NEW.state, ''), ifnull(NEW.contact_state, ''), 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
INSERT INTO `interaction_funnel_daily` SELECT at / 86400000, kind, ifnull(project_id, -1), ifnull(parser, ''), medium, ifnull(owner_vendor_id, ''), reentry, ifnull(state, ''), ifnull(contact_state, ''), count(*)
  FROM `interactions` WHERE true GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9;
