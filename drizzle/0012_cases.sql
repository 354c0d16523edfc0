CREATE TABLE `case_messages` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`case_id` integer NOT NULL,
	`direction` text NOT NULL,
	`raw_email_id` integer,
	`notification_id` integer,
	`message_id` text,
	`in_reply_to` text,
	`from_addr` text,
	`to_addr` text,
	`subject` text NOT NULL,
	`text` text NOT NULL,
	`at` integer NOT NULL,
	`author_user_id` integer,
	`attachments` text DEFAULT '[]' NOT NULL,
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`raw_email_id`) REFERENCES `raw_emails`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`author_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `case_messages_case` ON `case_messages` (`case_id`,`at`);--> statement-breakpoint
CREATE INDEX `case_messages_message_id` ON `case_messages` (`message_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `case_messages_raw_email` ON `case_messages` (`raw_email_id`);--> statement-breakpoint
CREATE TABLE `case_visits` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`case_id` integer NOT NULL,
	`kind` text NOT NULL,
	`scheduled_at` integer NOT NULL,
	`done_at` integer,
	`who` text NOT NULL,
	`outcome` text,
	`recorded_by` text NOT NULL,
	`recorded_by_user_id` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`recorded_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `case_visits_case` ON `case_visits` (`case_id`,`scheduled_at`);--> statement-breakpoint
CREATE TABLE `cases` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`number` integer NOT NULL,
	`category` text NOT NULL,
	`status` text NOT NULL,
	`client_id` integer,
	`project_id` integer,
	`project_text` text,
	`unit` text,
	`subject` text NOT NULL,
	`responsible_user_id` integer,
	`contact_name` text,
	`contact_email` text,
	`contact_phone` text,
	`country` text NOT NULL,
	`mailbox` text,
	`raw_email_id` integer,
	`evidence` text DEFAULT '[]' NOT NULL,
	`from_lead_id` integer,
	`to_lead_id` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`first_response_at` integer,
	`resolved_at` integer,
	`closed_at` integer,
	`waiting_since` integer,
	`paused_minutes` integer DEFAULT 0 NOT NULL,
	`first_response_due_at` integer,
	`resolution_due_at` integer,
	`escalated_at` integer,
	`satisfaction_score` integer,
	`satisfaction_at` integer,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`responsible_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`raw_email_id`) REFERENCES `raw_emails`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`from_lead_id`) REFERENCES `leads`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`to_lead_id`) REFERENCES `leads`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `cases_number` ON `cases` (`number`);--> statement-breakpoint
CREATE UNIQUE INDEX `cases_raw_email` ON `cases` (`raw_email_id`);--> statement-breakpoint
CREATE INDEX `cases_status` ON `cases` (`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `cases_client` ON `cases` (`client_id`);--> statement-breakpoint
CREATE INDEX `cases_project` ON `cases` (`project_id`);--> statement-breakpoint
CREATE INDEX `cases_responsible` ON `cases` (`responsible_user_id`,`status`);--> statement-breakpoint
ALTER TABLE `notifications` ADD `case_id` integer;