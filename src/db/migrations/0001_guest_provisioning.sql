CREATE TABLE "orgkit_guest_provisioning" (
	"email" text PRIMARY KEY NOT NULL,
	"workos_user_id" text,
	"workos_org_id" text,
	"workos_membership_id" text,
	"user_created" boolean DEFAULT false NOT NULL,
	"magic_auth_sent_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"lease_token" text,
	"lease_expires_at" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
