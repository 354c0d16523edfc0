CREATE TABLE "interaction_funnel_daily" (
	"day" bigint NOT NULL,
	"kind" text NOT NULL,
	"project_id" bigint NOT NULL,
	"parser" text NOT NULL,
	"medium" text NOT NULL,
	"owner_vendor_id" text NOT NULL,
	"reentry" bigint NOT NULL,
	"state" text NOT NULL,
	"contact_state" text NOT NULL,
	"n" bigint NOT NULL,
	CONSTRAINT "interaction_funnel_daily_day_kind_project_id_parser_medium_owner_vendor_id_reentry_state_contact_state_pk" PRIMARY KEY("day","kind","project_id","parser","medium","owner_vendor_id","reentry","state","contact_state")
);
--> statement-breakpoint
CREATE INDEX "interaction_funnel_daily_cover" ON "interaction_funnel_daily" USING btree ("day","kind","project_id","parser","medium","owner_vendor_id","reentry","state","contact_state","n");--> statement-breakpoint
CREATE INDEX "interactions_state_deadline" ON "interactions" USING btree ("contact_state","deadline_at");