CREATE TABLE "raw_bodies" (
	"raw_email_id" bigint NOT NULL,
	"seq" bigint NOT NULL,
	"chunk" "bytea" NOT NULL,
	CONSTRAINT "raw_bodies_raw_email_id_seq_pk" PRIMARY KEY("raw_email_id","seq")
);
--> statement-breakpoint
ALTER TABLE "raw_bodies" ADD CONSTRAINT "raw_bodies_raw_email_id_raw_emails_id_fk" FOREIGN KEY ("raw_email_id") REFERENCES "public"."raw_emails"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- Bodies already stored move as one piece each (readers join the pieces in order, whatever their size).
INSERT INTO "raw_bodies" ("raw_email_id", "seq", "chunk") SELECT "id", 0, "raw" FROM "raw_emails" WHERE "raw" IS NOT NULL;--> statement-breakpoint
ALTER TABLE "raw_emails" DROP COLUMN "raw";