ALTER TABLE "leads" DROP CONSTRAINT "leads_raw_email_id_unique";--> statement-breakpoint
ALTER TABLE "leads" ADD COLUMN "part_index" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "leads_raw_part" ON "leads" USING btree ("raw_email_id","part_index");