CREATE TABLE `raw_bodies` (
	`raw_email_id` integer NOT NULL,
	`seq` integer NOT NULL,
	`chunk` blob NOT NULL,
	PRIMARY KEY(`raw_email_id`, `seq`),
	FOREIGN KEY (`raw_email_id`) REFERENCES `raw_emails`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
-- Bodies already stored move as one piece each (readers join the pieces in order, whatever their size).
INSERT INTO `raw_bodies` (`raw_email_id`, `seq`, `chunk`) SELECT `id`, 0, `raw` FROM `raw_emails` WHERE `raw` IS NOT NULL;--> statement-breakpoint
ALTER TABLE `raw_emails` DROP COLUMN `raw`;