DROP INDEX `leads_raw_email_id_unique`;--> statement-breakpoint
ALTER TABLE `leads` ADD `part_index` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `leads_raw_part` ON `leads` (`raw_email_id`,`part_index`);