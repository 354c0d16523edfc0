-- Stats over a period read the funnel's counters (lead_funnel_16d and lead_funnel_daily, 0016):
-- lead_counts_daily has no reader left, and its triggers cost every lead write.
DROP TRIGGER IF EXISTS `lead_counts_daily_insert`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `lead_counts_daily_delete`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `lead_counts_daily_update`;
--> statement-breakpoint
DROP TABLE `lead_counts_daily`;
