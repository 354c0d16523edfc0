CREATE TABLE `mailbox_tokens` (
	`mailbox` text PRIMARY KEY NOT NULL,
	`provider` text NOT NULL,
	`refresh_token` text NOT NULL,
	`account` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
