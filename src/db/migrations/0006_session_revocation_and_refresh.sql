CREATE TABLE "orgkit_session_refreshes" (
	"key" text PRIMARY KEY NOT NULL,
	"holder" text NOT NULL,
	"lease_expires_at" timestamp with time zone NOT NULL,
	"outcome" text,
	"outcome_expires_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "orgkit_token_revocations" (
	"workos_user_id" text NOT NULL,
	"kind" text NOT NULL,
	"subject" text NOT NULL,
	"revoked_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "orgkit_token_revocations_workos_user_id_kind_subject_pk" PRIMARY KEY("workos_user_id","kind","subject")
);
