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