CREATE TABLE `user_prefs` (
	`user_id` integer PRIMARY KEY NOT NULL,
	`prefs` text DEFAULT '{}' NOT NULL,
	`last_visit_at` integer,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `client_duplicates` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`client_id` integer NOT NULL,
	`other_client_id` integer NOT NULL,
	`lead_id` integer,
	`reason` text NOT NULL,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`decided_by` text,
	`decided_at` integer,
	`undo` text,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`other_client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`lead_id`) REFERENCES `leads`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `client_duplicates_status` ON `client_duplicates` (`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `client_duplicates_client` ON `client_duplicates` (`client_id`);--> statement-breakpoint
CREATE INDEX `client_duplicates_other` ON `client_duplicates` (`other_client_id`);