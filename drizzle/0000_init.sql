CREATE TABLE `actions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`lead_id` integer,
	`client_id` integer,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`data` text DEFAULT '{}' NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `actions_lead` ON `actions` (`lead_id`);--> statement-breakpoint
CREATE INDEX `actions_client` ON `actions` (`client_id`,`at`);--> statement-breakpoint
CREATE TABLE `clients` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`national_id` text,
	`national_id_type` text,
	`email` text,
	`phone` text,
	`name` text,
	`first_name` text,
	`last_name` text,
	`owner_vendor_id` text,
	`created_at` integer NOT NULL,
	`last_activity_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `clients_national_id` ON `clients` (`national_id`);--> statement-breakpoint
CREATE INDEX `clients_email` ON `clients` (`email`);--> statement-breakpoint
CREATE INDEX `clients_phone` ON `clients` (`phone`);--> statement-breakpoint
CREATE INDEX `clients_owner` ON `clients` (`owner_vendor_id`);--> statement-breakpoint
CREATE TABLE `counters` (
	`name` text PRIMARY KEY NOT NULL,
	`value` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `follow_ups` (
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
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `follow_ups_client_project` ON `follow_ups` (`client_id`,`project_id`,`status`);--> statement-breakpoint
CREATE INDEX `follow_ups_lead` ON `follow_ups` (`lead_id`);--> statement-breakpoint
CREATE TABLE `leads` (
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
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
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
CREATE TABLE `leases` (
	`name` text PRIMARY KEY NOT NULL,
	`owner` text NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `mailbox_cursors` (
	`mailbox` text PRIMARY KEY NOT NULL,
	`uid_validity` integer NOT NULL,
	`last_uid` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `project_vendors` (
	`project_id` integer NOT NULL,
	`vendor_id` text NOT NULL,
	`position` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `project_vendors_pk` ON `project_vendors` (`project_id`,`vendor_id`);--> statement-breakpoint
CREATE TABLE `projects` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`aliases` text DEFAULT '[]' NOT NULL,
	`active` integer DEFAULT true NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `projects_name_unique` ON `projects` (`name`);--> statement-breakpoint
CREATE TABLE `raw_emails` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`source` text NOT NULL,
	`mailbox` text,
	`uid_validity` integer,
	`uid` integer,
	`file` text,
	`message_id` text,
	`sha256` text NOT NULL,
	`size` integer NOT NULL,
	`raw` blob,
	`headers` text,
	`received_at` integer NOT NULL,
	`stored_at` integer NOT NULL,
	`status` text NOT NULL,
	`ignored_reason` text,
	`error` text,
	`parser` text,
	`processed_at` integer,
	`purged_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `raw_emails_imap_uid` ON `raw_emails` (`mailbox`,`uid_validity`,`uid`);--> statement-breakpoint
CREATE INDEX `raw_emails_message_id` ON `raw_emails` (`message_id`);--> statement-breakpoint
CREATE INDEX `raw_emails_sha256` ON `raw_emails` (`sha256`);--> statement-breakpoint
CREATE INDEX `raw_emails_status` ON `raw_emails` (`status`);--> statement-breakpoint
CREATE INDEX `raw_emails_received` ON `raw_emails` (`received_at`);--> statement-breakpoint
CREATE TABLE `vendors` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`email` text,
	`type` text NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`webhook` text
);
